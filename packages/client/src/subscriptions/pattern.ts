import { APPEND, LAST, type Path, RESET, type Segment } from '@varstream/varstream';
import { pathKey } from '../paths/path-key.js';
import { isPrefix } from '../paths/same-path.js';

/**
 * Subscription patterns are paths in which `*` stands for any one key or
 * index and `+` for any array index: `form.*`, `list.+.name`. (In a
 * statement, `*` is the last element and `+` appends; a pattern only reads.)
 */
const ANY = LAST;
const ANY_INDEX = APPEND;

function segmentMatches(pattern: Segment, segment: Segment): boolean {
  if (pattern === ANY) return true;
  if (pattern === ANY_INDEX) return typeof segment === 'number';
  return pattern === segment;
}

/** True when `path` (concrete) matches `pattern` exactly. */
export function matches(pattern: Path, path: Path): boolean {
  if (pattern.length !== path.length) return false;
  for (let i = 0; i < pattern.length; i++) if (!segmentMatches(pattern[i]!, path[i]!)) return false;
  return true;
}

/**
 * The concrete paths matching `pattern` whose value may have changed when
 * something changed at `touched` (a concrete path; `!` means the array at that
 * depth was emptied, so everything under it changed). Paths under `touched`
 * are found by walking `root`; `known` lists the paths seen before (to report
 * deletions).
 */
export function affected(
  pattern: Path,
  touched: Path,
  root: unknown,
  known: Iterable<Path>,
  out: Map<string, Segment[]>,
): void {
  const prefix: Segment[] = [];
  const n = Math.min(pattern.length, touched.length);
  for (let i = 0; i < n; i++) {
    const t = touched[i]!;
    if (t === RESET) {
      expand(pattern, prefix, root, known, out);
      return;
    }
    if (!segmentMatches(pattern[i]!, t)) return;
    prefix.push(t);
  }
  if (pattern.length <= touched.length) add(out, prefix);
  else expand(pattern, prefix, root, known, out);
}

/** Every path matching `pattern` that starts with `prefix`: in the tree, and among the known ones. */
function expand(
  pattern: Path,
  prefix: Segment[],
  root: unknown,
  known: Iterable<Path>,
  out: Map<string, Segment[]>,
): void {
  walk(pattern, prefix.length, prefix.slice(), valueAt(root, prefix), out);
  for (const path of known) {
    if (path.length === pattern.length && isPrefix(prefix, path) && matches(pattern, path)) {
      add(out, path.slice());
    }
  }
}

function walk(
  pattern: Path,
  depth: number,
  path: Segment[],
  node: unknown,
  out: Map<string, Segment[]>,
): void {
  if (depth === pattern.length) {
    add(out, path.slice());
    return;
  }
  const seg = pattern[depth]!;
  if (seg !== ANY && seg !== ANY_INDEX) {
    path.push(seg);
    walk(pattern, depth + 1, path, child(node, seg), out);
    path.pop();
    return;
  }
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      if (!(i in node)) continue;
      path.push(i);
      walk(pattern, depth + 1, path, node[i], out);
      path.pop();
    }
  } else if (seg === ANY) {
    for (const key of Object.keys(node)) {
      path.push(key);
      walk(pattern, depth + 1, path, (node as Record<string, unknown>)[key], out);
      path.pop();
    }
  }
}

/** The value under `node` at one segment: an object's own key, an array's own element, else undefined. */
export function child(node: unknown, seg: Segment): unknown {
  return node !== null &&
    typeof node === 'object' &&
    Array.isArray(node) === (typeof seg === 'number') &&
    Object.hasOwn(node, seg)
    ? (node as Record<Segment, unknown>)[seg]
    : undefined;
}

export function valueAt(root: unknown, path: Path): unknown {
  let node = root;
  for (const seg of path) {
    node = child(node, seg);
    if (node === undefined) return undefined;
  }
  return node;
}

function add(out: Map<string, Segment[]>, path: Segment[]): void {
  out.set(pathKey(path), path);
}

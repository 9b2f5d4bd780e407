import { formatPath, type Path } from '@varstream/varstream';
import type { ResolvedIdentity } from './identity.js';

/**
 * True when `path` lies inside one of the scope's subtrees (the subtree root
 * included). A dynamic segment (`+`, `*`, `!`) where the scope names a
 * concrete step cannot be proven inside, so it is outside.
 */
function inScope(scope: readonly Path[], path: Path): boolean {
  for (const prefix of scope) {
    if (prefix.length > path.length) continue;
    let inside = true;
    for (let i = 0; i < prefix.length; i++) {
      if (prefix[i] !== path[i]) {
        inside = false;
        break;
      }
    }
    if (inside) return true;
  }
  return false;
}

/**
 * How many segments of `path` lie above the scope (the depth of the
 * shallowest scope root that holds it), or -1 when it is outside.
 */
function scopeDepth(scope: readonly Path[], path: Path): number {
  let depth = -1;
  for (const prefix of scope) {
    if (depth !== -1 && prefix.length >= depth) continue;
    if (inScope([prefix], path)) depth = prefix.length;
  }
  return depth;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Why writing at `path` (inside the scope) would change a value above the
 * scope, or undefined. Walking a path replaces a value of the wrong kind with
 * the container the next segment needs (a key on a string or an array makes
 * an object, an index on an object makes an array): above the scope root,
 * that would destroy data the connection may not write. Missing containers
 * may be created (nothing is lost), and an array may grow to hold the scope's
 * index. Costs at most one step per segment of the scope.
 */
function parentDenied(scope: readonly Path[], path: Path, root: unknown): string | undefined {
  const depth = scopeDepth(scope, path);
  let node = root;
  for (let d = 0; d < depth; d++) {
    // Created from here on (a symbol: a key deleted earlier in this change, see Tree's boundedRollback).
    if (node === undefined || typeof node === 'symbol') return undefined;
    const segment = path[d]!;
    const wantArray = typeof segment === 'number';
    if (node === null || typeof node !== 'object' || Array.isArray(node) !== wantArray) {
      const where = d === 0 ? 'the root' : formatPath(path.slice(0, d));
      return `Writing there would replace ${where} (${kindOf(node)}), outside the connection scope`;
    }
    if (wantArray) {
      const array = node as unknown[];
      node = segment < array.length && Object.hasOwn(array, segment) ? array[segment] : undefined;
    } else {
      const object = node as Record<string, unknown>;
      node = Object.hasOwn(object, segment) ? object[segment] : undefined;
    }
  }
  return undefined;
}

/**
 * Why `identity` may not write at `path` (and, for `&=`, read from `ref`), or
 * undefined when it may. `root` is the document's tree as it is now: a
 * scoped write must not replace a parent of its scope (see parentDenied).
 */
export function writeDenied(
  identity: ResolvedIdentity,
  path: Path,
  ref: Path | undefined,
  root: unknown,
): string | undefined {
  if (identity.access !== 'write') return 'This connection is read-only';
  const scope = identity.scope;
  if (scope === undefined) return undefined;
  if (!inScope(scope, path)) return 'Writes are limited to the connection scope';
  // A reference to a value outside the scope would alias it: later writes
  // through the alias would change what the scope protects.
  if (ref !== undefined && !inScope(scope, ref)) {
    return 'A reference may only point inside the connection scope';
  }
  return parentDenied(scope, path, root);
}

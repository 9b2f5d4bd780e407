import { type Container, fresh, hasOwn, isContainer, setKey } from './container.js';
import { type Limits, resolveLimits } from './defaults.js';
import { VarStreamError, type VarStreamErrorCode } from './errors.js';
import { combine, describe } from './operators.js';
import { APPEND, formatPath, LAST, type Path, RESET, type Segment } from './path.js';
import type { Statement } from './statement.js';
import { applyTextOp, checkTextOp } from './text/apply-text-op.js';
import { spliceToOp } from './text/splices.js';
import type { Change } from './tree.js';

/** What `#set` overwrote (the common undo entry; the rare ones are functions). */
interface SetUndo {
  target: Container;
  key: Segment;
  had: boolean;
  old: unknown;
  /** An array's length before (-1 for an object). */
  length: number;
}

export interface ReplicaTreeOptions {
  /** Overrides of `defaults`. `maxNodes` counts values created since the tree was made. */
  limits?: Partial<Limits>;
}

/**
 * The `Tree` a replica needs, in a fraction of its code (a browser client's
 * bundle): `apply`, `get`, `root`, and an undo log (`begin`, `commit`,
 * `rollback`). Every statement gives exactly the `Change`, the tree and the
 * error (code, reason, line, path) that `Tree.apply` gives; a statement
 * that fails changes nothing. What it leaves out is for servers: the
 * bounded rollback (`TreeOptions.boundedRollback`), the walk that starts
 * from the previous path, `applyQuiet` and `PathContext` updates, and the
 * alias marks of `&=` (read by bounded rollbacks only). A rollback costs
 * what the statements since `begin()` touched: an emptied array's own
 * elements, an object delete's following keys.
 * test/replica-tree.test.ts holds it to `Tree`'s results.
 */
export class ReplicaTree {
  readonly limits: Limits;
  /** Values created by `apply` since the tree was made (see `maxNodes`). */
  nodesCreated = 0;
  /**
   * The root value; `undefined` while the tree is empty. Change the tree
   * only through `apply` (or by assigning `root`, which is not undone).
   */
  root: unknown;
  #undo: (SetUndo | (() => void))[] | undefined;

  constructor(root?: unknown, options: ReplicaTreeOptions = {}) {
    this.root = root;
    this.limits = resolveLimits(options.limits);
  }

  /** Starts recording changes so that `rollback()` can undo them. */
  begin(): void {
    this.#undo = [];
  }

  /** Keeps the changes made since `begin()`. */
  commit(): void {
    this.#undo = undefined;
  }

  /** Undoes every change made since `begin()`, newest first. */
  rollback(): void {
    const log = this.#undo;
    this.#undo = undefined;
    if (log === undefined) return;
    for (let i = log.length - 1; i >= 0; i--) {
      const entry = log[i]!;
      if (typeof entry === 'function') entry();
      else restore(entry);
    }
  }

  /** The value at `path` (no `+` or `!`), or undefined. */
  get(path: Path): unknown {
    let node = this.root;
    for (const seg of path) {
      if (!isContainer(node)) return undefined;
      if (typeof seg === 'string') {
        if (Array.isArray(node) || !hasOwn(node, seg)) return undefined;
        node = node[seg];
      } else {
        if (!Array.isArray(node)) return undefined;
        const index = seg === LAST ? node.length - 1 : seg;
        if (index < 0 || !hasOwn(node, index)) return undefined;
        node = node[index];
      }
    }
    return node;
  }

  /**
   * Applies one statement, in the order 0.3.2 applies it (the reference, the
   * left side walked without touching the tree, the new value within the
   * limits, then the mutation). Throws a `VarStreamError`, and changes
   * nothing, when it cannot apply.
   */
  apply(statement: Statement): Change {
    const { op, path, line } = statement;
    const n = path.length;
    const limits = this.limits;
    // The reference of `&=`, resolved first (as in 0.3.2).
    let refPath: Segment[] | undefined;
    let refFound = false;
    let refValue: unknown;
    if (op === '&=') {
      const ref = statement.ref ?? failAt(statement, 'EMPTY_VALUE', 'Missing reference after "&="');
      refPath = [];
      let node = this.root;
      refFound = node !== undefined;
      for (const seg of ref) {
        if (typeof seg === 'string') {
          refFound &&= isContainer(node) && !Array.isArray(node) && hasOwn(node, seg);
          if (refFound) node = (node as Record<string, unknown>)[seg];
        } else if (seg === APPEND || seg === RESET) {
          failAt(statement, 'REF_NOT_FOUND', 'A reference cannot use "+" or "!"');
        } else if (seg === LAST) {
          if (!refFound || !Array.isArray(node) || node.length === 0) {
            failAt(statement, 'REF_NOT_FOUND', `Nothing at ${formatPath(ref)} to refer to`);
          }
          const arr = node as unknown[];
          refPath.push(arr.length - 1);
          node = arr[arr.length - 1];
          continue;
        } else {
          refFound &&= Array.isArray(node) && seg < node.length && hasOwn(node, seg);
          if (refFound) node = (node as unknown[])[seg];
        }
        refPath.push(seg);
      }
      if (refFound) refValue = node;
    }

    // The left side, walked without touching the tree.
    const concrete: Segment[] = new Array(n);
    const chain: Container[] = [];
    let node = this.root;
    let createFrom = -1;
    let replacedArray = -1;
    let resetDepth = -1;
    for (let d = 0; d < n; d++) {
      const seg = path[d]!;
      const wantArray = typeof seg === 'number';
      if (createFrom === -1 && (!isContainer(node) || Array.isArray(node) !== wantArray)) {
        createFrom = d;
        if (!wantArray && Array.isArray(node)) replacedArray = d;
      }
      if (createFrom !== -1) {
        if (seg === LAST) failAt(statement, 'NO_LAST', '"*" on an empty array', d);
        concrete[d] =
          typeof seg === 'number' ? this.#checkIndex(Math.max(0, seg), 0, statement, d) : seg;
        node = undefined;
      } else if (typeof seg === 'string') {
        const obj = node as Record<string, unknown>;
        chain[d] = obj;
        concrete[d] = seg;
        node = hasOwn(obj, seg) ? obj[seg] : undefined;
      } else if (seg === RESET) {
        // The array is emptied, its first slot is new.
        chain[d] = node as unknown[];
        concrete[d] = 0;
        resetDepth = d;
        node = undefined; // what follows is created
      } else {
        const arr = node as unknown[];
        chain[d] = arr;
        if (seg === LAST && arr.length === 0)
          failAt(statement, 'NO_LAST', '"*" on an empty array', d);
        const index = seg >= 0 ? seg : seg === APPEND ? arr.length : arr.length - 1;
        concrete[d] = this.#checkIndex(index, arr.length, statement, d);
        node = index < arr.length && hasOwn(arr, index) ? arr[index] : undefined;
      }
    }
    const previous = node;

    // The new value.
    let remove = false;
    let refPrefix = -1;
    let value: unknown;
    if (op === '=') {
      if (statement.value !== undefined) value = fresh(statement.value);
      else if (typeof previous === 'string') value = '';
      else remove = true;
    } else if (op === '&=') {
      const target = refPath!;
      if (target.length < n && target.every((seg, i) => seg === concrete[i])) {
        refPrefix = target.length;
      } else if (!refFound) {
        failAt(statement, 'REF_NOT_FOUND', `Nothing at ${formatPath(target)} to refer to`);
      } else value = refValue;
    } else if (op === '~=') {
      const splice =
        statement.splice ?? failAt(statement, 'BAD_SPLICE', 'A "~=" without its splice');
      if (previous !== undefined && typeof previous !== 'string') {
        failAt(statement, 'TYPE_MISMATCH', `"~=" cannot apply to ${describe(previous)}`);
      }
      const text = (previous as string | undefined) ?? '';
      const textOp = spliceToOp(splice);
      const problem = checkTextOp(text, textOp);
      if (problem !== undefined) failAt(statement, 'SPLICE_RANGE', problem.reason);
      value = applyTextOp(text, textOp);
    } else {
      const combined = combine(op, previous, statement.value);
      if ('error' in combined) failAt(statement, 'TYPE_MISMATCH', combined.error);
      else value = combined.value;
    }

    // The limits.
    if (typeof value === 'string' && value.length > limits.maxStringLength) {
      failAt(
        statement,
        'LIMIT_STRING',
        `A string of ${value.length} characters, more than ${limits.maxStringLength}`,
      );
    }
    const created =
      (createFrom === -1 ? 0 : n - createFrom) + (remove || previous !== undefined ? 0 : 1);
    if (this.nodesCreated + created > limits.maxNodes) {
      failAt(statement, 'LIMIT_NODES', `More than ${limits.maxNodes} values`);
    }
    this.nodesCreated += created;

    // The mutation.
    const undo = this.#undo;
    if (resetDepth !== -1) {
      const arr = chain[resetDepth] as unknown[];
      if (undo !== undefined && arr.length > 0) {
        // Its own elements (a sparse array's holes are not walked).
        const length = arr.length;
        const indices = Object.keys(arr);
        const values = indices.map((i) => arr[Number(i)]);
        undo.push(() => {
          arr.length = 0;
          indices.forEach((i, k) => {
            arr[Number(i)] = values[k];
          });
          arr.length = length;
        });
      }
      arr.length = 0;
    }
    let result: unknown = value;
    if (n === 0) {
      this.#setRoot(remove ? undefined : value);
    } else {
      for (let d = Math.max(createFrom, 0); createFrom !== -1 && d < n; d++) {
        const made = typeof path[d] === 'number' ? [] : {};
        if (d === 0) this.#setRoot(made);
        else this.#set(chain[d - 1]!, concrete[d - 1]!, made);
        chain[d] = made;
      }
      if (refPrefix !== -1) result = refPrefix === 0 ? this.root : chain[refPrefix];
      const target = chain[n - 1]!;
      const key = concrete[n - 1]!;
      if (!remove) this.#set(target, key, result);
      else if (Array.isArray(target)) {
        const index = key as number;
        if (hasOwn(target, index)) {
          this.#set(target, index, undefined); // recorded (with the length), then made a hole
          delete target[index];
        }
      } else if (hasOwn(target, key as string)) {
        const k = key as string;
        if (undo !== undefined) {
          const old = target[k];
          const keys = Object.keys(target);
          const after = keys.slice(keys.indexOf(k) + 1);
          undo.push(() => {
            setKey(target, k, old);
            // The keys that followed the deleted one go back after it.
            for (const a of after) {
              if (!hasOwn(target, a)) continue;
              const v = target[a];
              delete target[a];
              setKey(target, a, v);
            }
          });
        }
        delete target[k];
      }
    }

    // The change as applied: `!` stays in its path (it is what empties the array).
    let applied = concrete;
    if (resetDepth !== -1 || createFrom !== -1) {
      applied = path.map((seg, d) => (seg === RESET ? RESET : concrete[d]!));
    }
    return {
      op,
      path: applied,
      value: statement.value,
      ref: refPath,
      ...(op === '~=' ? { splice: statement.splice } : {}),
      previous,
      result: remove ? undefined : result,
      line,
      arrayReplaced: replacedArray === -1 ? undefined : applied.slice(0, replacedArray),
    };
  }

  #checkIndex(index: number, length: number, statement: Statement, d: number): number {
    const limits = this.limits;
    if (index > limits.maxArrayIndex) {
      failAt(statement, 'LIMIT_INDEX', `Array index ${index} above ${limits.maxArrayIndex}`, d);
    }
    if (index - length > limits.maxArrayGap) {
      failAt(
        statement,
        'LIMIT_GAP',
        `Array index ${index} leaves a gap above ${limits.maxArrayGap}`,
        d,
      );
    }
    return index;
  }

  #setRoot(root: unknown): void {
    const old = this.root;
    this.#undo?.push(() => {
      this.root = old;
    });
    this.root = root;
  }

  #set(target: Container, key: Segment, item: unknown): void {
    if (Array.isArray(target)) {
      const index = key as number;
      this.#undo?.push({
        target,
        key: index,
        had: hasOwn(target, index),
        old: target[index],
        length: target.length,
      });
      target[index] = item;
    } else {
      const k = key as string;
      this.#undo?.push({ target, key: k, had: hasOwn(target, k), old: target[k], length: -1 });
      setKey(target, k, item);
    }
  }
}

/** Undoes one `#set`: the value back (or the key or element removed), and an array's length. */
function restore({ target, key, had, old, length }: SetUndo): void {
  if (Array.isArray(target)) {
    const index = key as number;
    if (had) target[index] = old;
    else delete target[index];
    target.length = length;
  } else if (had) setKey(target, key as string, old);
  else delete target[key as string];
}

/** Throws the error of a statement that cannot apply, at its path (or its first `depth + 1` segments). */
function failAt(
  statement: Statement,
  code: VarStreamErrorCode,
  reason: string,
  depth = statement.path.length - 1,
): never {
  const line = statement.line;
  throw new VarStreamError(code, reason, {
    ...(line > 0 ? { line } : {}),
    path: formatPath(statement.path.slice(0, depth + 1)),
  });
}

import { isAliased, markAliased, unmarkAliased } from './aliases.js';
import { type Container, fresh, hasOwn, isContainer, setKey } from './container.js';
import { countCreatedKey } from './created-keys.js';
import { type Limits, resolveLimits } from './defaults.js';
import { VarStreamError, type VarStreamErrorCode } from './errors.js';
import { HOLE } from './hole.js';
import { combine, describe } from './operators.js';
import { APPEND, formatPath, LAST, type Path, RESET, type Segment } from './path.js';
import type { PathContext } from './path-context.js';
import { PathWalk, WALK_FAILED } from './path-walk.js';
import type { Operator, Statement } from './statement.js';
import { applyTextOp, checkTextOp } from './text/apply-text-op.js';
import { type Splice, spliceToOp } from './text/splices.js';
import type { Literal } from './value.js';

/** A statement as it was applied: every `+` and `*` replaced by its index (`!` kept). */
export interface Change {
  readonly op: Operator;
  readonly path: Path;
  readonly value: Literal | undefined;
  readonly ref?: Path | undefined;
  /** `~=`: the splice as applied. */
  readonly splice?: Splice | undefined;
  /** The value at `path` before the change (undefined when absent). */
  readonly previous: unknown;
  /** The value at `path` after the change (undefined when deleted). */
  readonly result: unknown;
  readonly line: number;
  /**
   * The path of an array this change replaced with an object because the
   * statement addressed it with a key (`list.z=2` while `list` is an array);
   * varstream 0.3.2 keeps the array there, so `canonicalReset` gives the
   * `list={}` its readers need first. Undefined when no array was replaced.
   */
  readonly arrayReplaced?: Path | undefined;
}

export interface TreeOptions {
  /** Overrides of `defaults`. `maxNodes` counts values created since the tree was made. */
  limits?: Partial<Limits>;
  /**
   * Make `rollback()` cost what the rolled-back statements touched, never the
   * size of what they touched it in (a server rolling back hostile changes).
   * Between `begin()` and `commit()`/`rollback()` the root must then be read
   * through this tree only: a key deleted from an object stays in place,
   * holding a private marker, until `commit()` removes it (so that a rollback
   * puts the value back without moving the keys after it), and `!` on an
   * array that nothing else refers to swaps in a new array (so that a
   * rollback puts the old one back instead of copying its elements).
   * Default false: the root is always a plain tree.
   */
  boundedRollback?: boolean;
}

/** A resolved `&=` reference: its concrete path, and the value there when found. */
interface Reference {
  path: Segment[];
  found: boolean;
  value: unknown;
}

const ROOT: unique symbol = Symbol('root');
const TRUNCATE: unique symbol = Symbol('truncate');
/** An undo entry of a container the change marked aliased (`old`). */
const ALIAS: unique symbol = Symbol('alias');
/** Arrays at least this long are probed for sparseness before being copied for a rollback. */
const PROBE_FROM = 1_024;
const PROBES = 16;

type UndoEntry =
  | { target: typeof ROOT; old: unknown }
  | { target: typeof ALIAS; old: object }
  | {
      target: Container;
      key: string | number;
      had: boolean;
      old: unknown;
      length: number;
      /** Deletes from objects: the keys that followed, to restore the key order. */
      after?: string[];
    }
  | { target: unknown[]; key: typeof TRUNCATE; old: SavedElements };

/** The elements of a truncated array: a copy (dense) or its own indices and values (sparse). */
type SavedElements =
  | { length: number; copy: unknown[] }
  | { length: number; indices: number[]; values: unknown[] };

/**
 * A VarStream tree: plain objects and arrays under one root. Applies
 * statements atomically (a statement that fails changes nothing), enforces the
 * limits, and can roll back a group of statements (`begin`/`rollback`).
 */
export class Tree {
  readonly limits: Limits;
  /** Values created by `apply` since the tree was made (see `maxNodes`). */
  nodesCreated = 0;
  /**
   * Array elements saved for rollbacks since the tree was made: what `!` on
   * an array that cannot be swapped (see `boundedRollback`) cost.
   */
  elementsSaved = 0;
  #undo: UndoEntry[] | undefined;
  #root: unknown;
  /** The walk of the left side; its chain holds the containers along the path last applied. */
  readonly #walker: PathWalk;
  readonly #chain: Container[];
  /**
   * The concrete path last applied: the next statement starts its walk where
   * it shares a prefix with it, while the walker's chain is reusable.
   * Anything that changes the tree other than a successful `apply` clears that.
   */
  #last: Segment[] = [];
  /** applyQuiet alternates two path buffers: one is `#last`, the other is written. */
  readonly #bufferA: Segment[] = [];
  readonly #bufferB: Segment[] = [];
  readonly #bounded: boolean;
  /** As `#newValue` found it: the statement deletes the value. */
  #remove = false;
  /** As `#newValue` found it: the length of the path prefix a `&=` refers to (-1: not a prefix). */
  #refPrefix = -1;
  /** With `boundedRollback`: objects and keys deleted since `begin()` (pairs), removed at commit. */
  #holes: (Record<string, unknown> | string)[] = [];
  /** With `boundedRollback`: objects and keys created since `begin()` (pairs), in order. */
  #created: (Record<string, unknown> | string)[] = [];
  /** With `boundedRollback`: objects where a deleted key was set again (its order is fixed at commit). */
  #refilled = new Set<object>();

  constructor(root?: unknown, options: TreeOptions = {}) {
    this.#root = root;
    this.limits = resolveLimits(options.limits);
    this.#bounded = options.boundedRollback === true;
    this.#walker = new PathWalk(this.limits);
    this.#chain = this.#walker.chain;
  }

  /**
   * The root value; `undefined` while the tree is empty. Change the tree only
   * through `apply` (or by assigning `root`): values read from it are live.
   */
  get root(): unknown {
    return this.#root;
  }

  set root(value: unknown) {
    this.#root = value;
    this.#walker.reusable = 0;
  }

  /** Starts recording changes so that `rollback()` can undo them. */
  begin(): void {
    this.#undo = [];
    this.#forgetHoles();
  }

  /** Keeps the changes made since `begin()`. */
  commit(): void {
    this.#undo = undefined;
    this.#countCreated();
    if (this.#holes.length > 0 || this.#refilled.size > 0) this.#settleHoles();
    this.#forgetHoles();
  }

  /**
   * With `boundedRollback`: gives the objects the key order they would have
   * had with real deletes (a key deleted then set again goes last, after the
   * keys created before it), then removes the deleted keys. Costs the number
   * of keys created and deleted since `begin()`.
   */
  #settleHoles(): void {
    const refilled = this.#refilled;
    const created = this.#created;
    if (refilled.size > 0) {
      for (let i = 0; i < created.length; i += 2) {
        const obj = created[i] as Record<string, unknown>;
        if (!refilled.has(obj)) continue;
        const key = created[i + 1] as string;
        if (!hasOwn(obj, key)) continue;
        const value = obj[key];
        if (value === HOLE) continue;
        delete obj[key];
        setKey(obj, key, value);
      }
    }
    const holes = this.#holes;
    for (let i = 0; i < holes.length; i += 2) {
      const obj = holes[i] as Record<string, unknown>;
      const key = holes[i + 1] as string;
      if (hasOwn(obj, key) && obj[key] === HOLE) delete obj[key];
    }
  }

  /** With `boundedRollback`: counts the keys created since `begin()` (see `createdKeys`). */
  #countCreated(): void {
    const created = this.#created;
    for (let i = 0; i < created.length; i += 2) countCreatedKey(created[i] as object);
  }

  #forgetHoles(): void {
    if (this.#holes.length > 0) this.#holes = [];
    if (this.#created.length > 0) this.#created = [];
    if (this.#refilled.size > 0) this.#refilled = new Set();
  }

  /** Undoes every change made since `begin()`, newest first. */
  rollback(): void {
    const log = this.#undo;
    this.#undo = undefined;
    if (log === undefined) return;
    this.#walker.reusable = 0;
    this.#forgetHoles();
    for (let i = log.length - 1; i >= 0; i--) {
      const entry = log[i]!;
      if (entry.target === ROOT) {
        this.#root = entry.old;
      } else if (entry.target === ALIAS) {
        unmarkAliased(entry.old);
      } else if (entry.key === TRUNCATE) {
        restoreElements(entry.target as unknown[], entry.old);
      } else if (Array.isArray(entry.target)) {
        const arr = entry.target;
        const index = entry.key as number;
        if (entry.had) arr[index] = entry.old;
        else delete arr[index];
        arr.length = entry.length;
      } else {
        const obj = entry.target as Record<string, unknown>;
        const key = entry.key as string;
        if (entry.had) {
          setKey(obj, key, entry.old);
          // Put the keys that followed the deleted one back after it.
          for (const k of entry.after ?? []) {
            if (!hasOwn(obj, k)) continue;
            const v = obj[k];
            delete obj[k];
            setKey(obj, k, v);
          }
        } else delete obj[key];
      }
    }
  }

  /** The value at `path` (no `+` or `!`), or undefined. */
  get(path: Path): unknown {
    let node = this.#root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      if (!isContainer(node)) return undefined;
      if (typeof seg === 'string') {
        if (Array.isArray(node) || !hasOwn(node, seg)) return undefined;
        node = (node as Record<string, unknown>)[seg];
        if (node === HOLE) return undefined;
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
   * Applies one statement. Throws a `VarStreamError` (and changes nothing)
   * when it cannot apply. With a context, stores the concrete path for `^`.
   */
  apply(statement: Statement, context?: PathContext): Change {
    return this.#apply(statement, context, false) as Change;
  }

  /**
   * Like `apply` without building the `Change` (what `parse` uses). The
   * context's `previous` then holds a buffer the next call reuses: read it
   * (as a Reader does) before applying again.
   */
  applyQuiet(statement: Statement, context?: PathContext): void {
    this.#apply(statement, context, true);
  }

  /**
   * One statement, in the order 0.3.2 applies it: the reference, the left
   * side (walked without touching the tree), the new value within the
   * limits, then the mutation. Whatever throws before the mutation changes
   * nothing.
   */
  #apply(
    statement: Statement,
    context: PathContext | undefined,
    quiet: boolean,
  ): Change | undefined {
    const n = statement.path.length;
    const ref = statement.op === '&=' ? this.#resolveRef(statement) : undefined;
    const concrete = quiet ? this.#spareBuffer() : new Array<Segment>(n);
    const previous = this.#walk(statement, concrete);
    const value = this.#newValue(statement, previous, concrete, ref);
    this.nodesCreated += this.#checkLimits(statement, previous, value);
    const result = this.#mutate(statement, concrete, value);
    if (quiet) concrete.length = n;
    if (context !== undefined) context.previous = concrete;
    this.#last = concrete;
    this.#walker.settled(n);
    return quiet ? undefined : this.#change(statement, concrete, previous, result, ref);
  }

  /** applyQuiet's path buffer: the one of the two that is not `#last`. */
  #spareBuffer(): Segment[] {
    return this.#last === this.#bufferA ? this.#bufferB : this.#bufferA;
  }

  /**
   * Walks the left side without touching the tree (`PathWalk`, shared with
   * `parse()`'s fast path): `concrete` gets the path with its indices
   * resolved, the walker's chain the existing containers. Returns the value
   * at the path; throws when an index is out of the limits or `*`
   * addresses an empty array.
   */
  #walk(statement: Statement, concrete: Segment[]): unknown {
    const path = statement.path;
    const n = path.length;
    const node = this.#walker.walk(this.#root, path, n, concrete, this.#last, 0);
    if (node === WALK_FAILED) this.#walkFailed(statement);
    return node;
  }

  #walkFailed(statement: Statement): never {
    const { failure, failDepth: d, failIndex: index } = this.#walker;
    const { maxArrayIndex, maxArrayGap } = this.limits;
    if (failure === 'NO_LAST') this.#throw('NO_LAST', '"*" on an empty array', statement, d);
    if (failure === 'LIMIT_INDEX') {
      this.#throw('LIMIT_INDEX', `Array index ${index} above ${maxArrayIndex}`, statement, d);
    }
    this.#throw(
      'LIMIT_GAP',
      `Array index ${index} leaves a gap above ${maxArrayGap}`,
      statement,
      d,
    );
  }

  /**
   * The value the statement writes; `#remove` when it deletes, `#refPrefix`
   * when it refers to a container on its own path (read after the path is
   * created: the value returned is then undefined).
   */
  #newValue(
    statement: Statement,
    previous: unknown,
    concrete: Segment[],
    ref: Reference | undefined,
  ): unknown {
    this.#remove = false;
    this.#refPrefix = -1;
    switch (statement.op) {
      case '=':
        if (statement.value !== undefined) return fresh(statement.value);
        if (typeof previous === 'string') return '';
        this.#remove = true;
        return undefined;
      case '&=': {
        const { path, found, value } = ref!;
        if (path.length < statement.path.length && isPrefix(path, concrete)) {
          this.#refPrefix = path.length;
          return undefined;
        }
        if (!found) {
          this.#throw('REF_NOT_FOUND', `Nothing at ${formatPath(path)} to refer to`, statement);
        }
        return value;
      }
      case '~=':
        return this.#splice(previous, statement);
      default: {
        const combined = combine(statement.op, previous, statement.value);
        if ('error' in combined) this.#throw('TYPE_MISMATCH', combined.error, statement);
        return combined.value;
      }
    }
  }

  /** Throws when the statement would pass a limit; returns how many values it creates. */
  #checkLimits(statement: Statement, previous: unknown, value: unknown): number {
    const limits = this.limits;
    if (typeof value === 'string' && value.length > limits.maxStringLength) {
      this.#throw(
        'LIMIT_STRING',
        `A string of ${value.length} characters, more than ${limits.maxStringLength}`,
        statement,
      );
    }
    const createFrom = this.#walker.createFrom;
    const created =
      (createFrom === -1 ? 0 : statement.path.length - createFrom) +
      (this.#remove || previous !== undefined ? 0 : 1);
    if (this.nodesCreated + created > limits.maxNodes) {
      this.#throw('LIMIT_NODES', `More than ${limits.maxNodes} values`, statement);
    }
    return created;
  }

  /**
   * `&=` gave `container` a second parent; a rollback takes the mark back
   * (left on, an `&=` refused later in its change would slow every `!` on
   * that array for good: the copy a shared array needs, `#reset`).
   */
  #markAliased(container: object): void {
    if (markAliased(container)) this.#undo?.push({ target: ALIAS, old: container });
  }

  /** Changes the tree as walked; returns the value written (a reference read now). */
  #mutate(statement: Statement, concrete: Segment[], value: unknown): unknown {
    const { op, path } = statement;
    const n = path.length;
    const chain = this.#chain;
    if (this.#walker.resetDepth !== -1) this.#reset(chain, concrete, this.#walker.resetDepth);
    if (n === 0) {
      if (op === '&=' && isContainer(value)) this.#markAliased(value);
      this.#undo?.push({ target: ROOT, old: this.#root });
      this.#root = this.#remove ? undefined : value;
      return value;
    }
    if (this.#walker.createFrom !== -1) this.#create(path, concrete, this.#walker.createFrom);
    const refPrefix = this.#refPrefix;
    const result = refPrefix === -1 ? value : refPrefix === 0 ? this.#root : chain[refPrefix];
    if (op === '&=' && isContainer(result)) this.#markAliased(result);
    const last = concrete[n - 1]!;
    const target = chain[n - 1]!;
    if (this.#remove) this.#delete(target, last);
    else this.#set(target, last, result);
    return result;
  }

  /** Creates the containers of `path` from depth `from` on (the chain is extended). */
  #create(path: Path, concrete: Segment[], from: number): void {
    const chain = this.#chain;
    let holder: Container | undefined = from === 0 ? undefined : chain[from - 1];
    for (let d = from; d < path.length; d++) {
      const created = typeof path[d] === 'number' ? [] : {};
      if (d === 0) {
        this.#undo?.push({ target: ROOT, old: this.#root });
        this.#root = created;
      } else {
        this.#set(holder!, concrete[d - 1]!, created);
      }
      chain[d] = created;
      holder = created;
    }
  }

  /** The change as applied: `!` stays in its path (it is what empties the array); `^` sees index 0. */
  #change(
    statement: Statement,
    concrete: Segment[],
    previous: unknown,
    result: unknown,
    ref: Reference | undefined,
  ): Change {
    const { op, path } = statement;
    let applied = concrete;
    if (this.#walker.resetDepth !== -1 || this.#walker.createFrom !== -1) {
      for (let d = 0; d < path.length; d++) {
        if (path[d] === RESET) {
          if (applied === concrete) applied = concrete.slice();
          applied[d] = RESET;
        }
      }
    }
    const replaced = this.#walker.replacedArray;
    return {
      op,
      path: applied,
      value: statement.value,
      ref: ref?.path,
      ...(op === '~=' ? { splice: statement.splice } : {}),
      previous,
      result: this.#remove ? undefined : result,
      line: statement.line,
      arrayReplaced: replaced === -1 ? undefined : applied.slice(0, replaced),
    };
  }

  /** The string a `~=` makes: nothing there counts as the empty string. */
  #splice(previous: unknown, statement: Statement): string {
    const splice = statement.splice;
    if (splice === undefined) this.#throw('BAD_SPLICE', 'A "~=" without its splice', statement);
    if (previous !== undefined && typeof previous !== 'string') {
      this.#throw('TYPE_MISMATCH', `"~=" cannot apply to ${describe(previous)}`, statement);
    }
    const text = previous ?? '';
    const op = spliceToOp(splice);
    const problem = checkTextOp(text, op);
    if (problem !== undefined) this.#throw('SPLICE_RANGE', problem.reason, statement);
    return applyTextOp(text, op);
  }

  /** Resolves a `&=` reference (before the left side, as in 0.3.2). */
  #resolveRef(statement: Statement): Reference {
    const ref = statement.ref;
    if (ref === undefined) this.#throw('EMPTY_VALUE', 'Missing reference after "&="', statement);
    const path: Segment[] = new Array(ref.length);
    let node: unknown = this.#root;
    let found = node !== undefined;
    for (let i = 0; i < ref.length; i++) {
      const seg = ref[i]!;
      if (typeof seg === 'string') {
        path[i] = seg;
        if (found && isContainer(node) && !Array.isArray(node) && hasOwn(node, seg)) {
          node = (node as Record<string, unknown>)[seg];
          if (node === HOLE) found = false;
        } else found = false;
        continue;
      }
      if (seg === APPEND || seg === RESET) {
        this.#throw('REF_NOT_FOUND', 'A reference cannot use "+" or "!"', statement);
      }
      if (seg === LAST) {
        if (!found || !Array.isArray(node) || node.length === 0) {
          this.#throw('REF_NOT_FOUND', `Nothing at ${formatPath(ref)} to refer to`, statement);
        }
        path[i] = node.length - 1;
        node = node[node.length - 1];
        continue;
      }
      path[i] = seg;
      if (found && Array.isArray(node) && seg < node.length && hasOwn(node, seg)) node = node[seg];
      else found = false;
    }
    return { path, found, value: found ? node : undefined };
  }

  #set(target: Container, key: Segment, value: unknown): void {
    const undo = this.#undo;
    if (Array.isArray(target)) {
      const index = key as number;
      if (undo !== undefined) {
        undo.push({
          target,
          key: index,
          had: hasOwn(target, index),
          old: target[index],
          length: target.length,
        });
      }
      target[index] = value;
    } else {
      const k = key as string;
      if (undo !== undefined) {
        const had = hasOwn(target, k);
        const old = had ? target[k] : undefined;
        undo.push({ target, key: k, had, old, length: 0 });
        if (this.#bounded && (!had || old === HOLE)) {
          this.#created.push(target, k);
          if (old === HOLE) this.#refilled.add(target);
        }
      }
      setKey(target, k, value);
    }
  }

  #delete(target: Container, key: Segment): void {
    if (Array.isArray(target)) {
      const index = key as number;
      if (!hasOwn(target, index)) return;
      this.#undo?.push({
        target,
        key: index,
        had: true,
        old: target[index],
        length: target.length,
      });
      delete target[index];
    } else {
      const k = key as string;
      if (!hasOwn(target, k)) return;
      const old = target[k];
      if (old === HOLE) return;
      if (this.#undo !== undefined && this.#bounded) {
        this.#undo.push({ target, key: k, had: true, old, length: 0 });
        setKey(target, k, HOLE);
        this.#holes.push(target, k);
        return;
      }
      if (this.#undo !== undefined) {
        const keys = Object.keys(target);
        const after = keys.slice(keys.indexOf(k) + 1);
        this.#undo.push({ target, key: k, had: true, old: target[k], length: 0, after });
      }
      delete target[k];
    }
  }

  /**
   * `!` at `chain[depth]`: empties the array. With `boundedRollback` inside
   * `begin()`, an array nothing else refers to is swapped for a new one in
   * its parent instead (O(1) both ways); an aliased one is emptied in place,
   * its elements saved for a rollback.
   */
  #reset(chain: Container[], concrete: Segment[], depth: number): void {
    const arr = chain[depth] as unknown[];
    if (arr.length === 0) return;
    if (this.#bounded && this.#undo !== undefined && !isAliased(arr)) {
      const replacement: unknown[] = [];
      if (depth === 0) {
        this.#undo.push({ target: ROOT, old: this.#root });
        this.#root = replacement;
      } else {
        this.#set(chain[depth - 1]!, concrete[depth - 1]!, replacement);
      }
      chain[depth] = replacement;
      return;
    }
    if (this.#undo !== undefined) {
      const saved = saveElements(arr);
      this.elementsSaved += 'copy' in saved ? saved.copy.length : saved.indices.length;
      this.#undo.push({ target: arr, key: TRUNCATE, old: saved });
    }
    arr.length = 0;
  }

  #throw(code: VarStreamErrorCode, reason: string, statement: Statement, depth?: number): never {
    const path = depth === undefined ? statement.path : statement.path.slice(0, depth + 1);
    throw new VarStreamError(code, reason, {
      ...(statement.line > 0 ? { line: statement.line } : {}),
      path: formatPath(path),
    });
  }
}

/**
 * Saves an array's elements in O(elements): a copy when it looks dense, its
 * own indices otherwise (copying a sparse array walks every slot of its
 * length). Random probes, so a crafted array cannot steer the choice.
 */
function saveElements(arr: unknown[]): SavedElements {
  const length = arr.length;
  if (length >= PROBE_FROM) {
    let present = 0;
    for (let i = 0; i < PROBES; i++) {
      if (hasOwn(arr, Math.floor(Math.random() * length))) present++;
    }
    if (present * 2 < PROBES) {
      const indices: number[] = [];
      const values: unknown[] = [];
      for (const key of Object.keys(arr)) {
        const index = Number(key);
        indices.push(index);
        values.push(arr[index]);
      }
      return { length, indices, values };
    }
  }
  return { length, copy: arr.slice() };
}

function restoreElements(arr: unknown[], saved: SavedElements): void {
  arr.length = 0;
  if ('copy' in saved) {
    const copy = saved.copy;
    for (let k = 0; k < copy.length; k++) if (hasOwn(copy, k)) arr[k] = copy[k];
  } else {
    const { indices, values } = saved;
    for (let i = 0; i < indices.length; i++) arr[indices[i]!] = values[i];
  }
  arr.length = saved.length;
}

function isPrefix(prefix: readonly Segment[], path: readonly Segment[]): boolean {
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/** @internal Lives as long as the module, for the same reason as the Reader's `keepAlive`. */
export const keepAlive = new Tree();

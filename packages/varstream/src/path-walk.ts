import { changedAliased } from './aliases.js';
import { type Container, hasOwn, isContainer } from './container.js';
import type { Limits } from './defaults.js';
import { HOLE } from './hole.js';
import { APPEND, LAST, RESET, type Segment } from './path.js';

/** Why a walk failed: the error `Tree` throws for it (`parse()`'s fast path hands the statement over). */
export type WalkFailure = 'NO_LAST' | 'LIMIT_INDEX' | 'LIMIT_GAP';

/** What `PathWalk.walk` returns when the statement cannot apply. */
export const WALK_FAILED: unique symbol = Symbol('walk failed');

/**
 * The one walk of a statement's left side through a tree, for `Tree.apply`
 * and for `parse()`'s fast path: without touching the tree, it finds the
 * concrete path (array positions for `+`, `*`, `!`), the existing containers
 * along it (`chain`), where creation starts, the array a `!` empties and the
 * array a key replaces with an object, within the array limits.
 *
 * Consecutive statements mostly share a prefix: the walk starts where the
 * path leaves the one walked before, when the caller says the chain is
 * still valid (`reusable`).
 */
export class PathWalk {
  /** chain[d]: the container that holds segment d of the path last walked (and created). */
  readonly chain: Container[] = [];
  /**
   * The length of the path last walked and applied, 0 when the chain is not
   * to be reused: set by `settled()` after the caller changed the tree as
   * walked; the caller clears it when the tree changed in any other way; a
   * walk clears it.
   */
  reusable = 0;
  /** Depth where the path leaves the tree: the containers from there on are created (-1: none). */
  createFrom = -1;
  /** Depth of the array a `!` empties (-1: none). */
  resetDepth = -1;
  /** Depth of the array a key replaces with an object (-1: none). */
  replacedArray = -1;
  /** After `WALK_FAILED`: why, at which depth, and the index at fault (`LIMIT_*`). */
  failure: WalkFailure = 'NO_LAST';
  failDepth = 0;
  failIndex = 0;
  // The limits, copied (hot code reading an options object is deoptimized when it is freed).
  readonly #maxArrayIndex: number;
  readonly #maxArrayGap: number;

  constructor(limits: Pick<Limits, 'maxArrayIndex' | 'maxArrayGap'>) {
    this.#maxArrayIndex = limits.maxArrayIndex;
    this.#maxArrayGap = limits.maxArrayGap;
  }

  /**
   * Walks the first `n` segments of `path` from `root` and writes them,
   * resolved, into `out` (which may be `path` itself): each `+`, `*`, `!`
   * and index becomes the concrete index it addresses. `last` is the
   * concrete path walked before and `known` how many first segments of
   * `path` are known to equal it (and are already in `out`). Returns the
   * value at the path (undefined when absent), or `WALK_FAILED`.
   */
  walk(
    root: unknown,
    path: readonly Segment[],
    n: number,
    out: Segment[],
    last: readonly Segment[],
    known: number,
  ): unknown {
    const chain = this.chain;
    // In place (`parse()`'s fast path), a segment is written only where it changes.
    const inPlace = out === path;
    let d = this.#shared(path, n, out, last, known, inPlace);
    let node = d > 0 ? chain[d] : root;
    this.reusable = 0; // the walk below overwrites the chain
    this.createFrom = -1;
    this.replacedArray = -1;
    this.resetDepth = -1;
    for (; d < n; d++) {
      const seg = path[d]!;
      if (!isContainer(node) || Array.isArray(node) !== (typeof seg === 'number')) {
        if (typeof seg === 'string' && Array.isArray(node)) this.replacedArray = d;
        return this.#create(path, n, out, inPlace, d);
      }
      chain[d] = node;
      if (typeof seg === 'string') {
        if (!inPlace) out[d] = seg;
        // Own-ness first: a keyed load of a missing key searches the prototype chain.
        node = hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
        if (node === HOLE) node = undefined;
        continue;
      }
      const arr = node as unknown[];
      if (seg === RESET) {
        // The array is emptied, its first slot is new, and so is the rest of the path.
        out[d] = 0;
        this.resetDepth = d;
        return this.#create(path, n, out, inPlace, d + 1);
      }
      const index = this.#index(arr, seg, d);
      if (index === -1) return WALK_FAILED;
      out[d] = index;
      node = index < arr.length && hasOwn(arr, index) ? arr[index] : undefined;
    }
    return node;
  }

  /**
   * How many first segments of `path` the walk can take from the last one
   * (copied into `out` unless in place): those known or found equal, within
   * what the chain still holds.
   */
  #shared(
    path: readonly Segment[],
    n: number,
    out: Segment[],
    last: readonly Segment[],
    known: number,
    inPlace: boolean,
  ): number {
    // Compared, not Math.min'ed: a comparison's feedback keeps `d` a small
    // integer, where Math.min of the (untyped) parameters would make the
    // loop counter a double.
    const reusable = this.reusable - 1;
    // biome-ignore lint/complexity/useMathMinMax: a comparison keeps `max` a small integer
    const max = n < reusable ? n : reusable;
    // biome-ignore lint/complexity/useMathMinMax: a comparison keeps `d` a small integer
    let d = known < max ? known : max;
    if (d < 0) d = 0;
    while (d < max && path[d] === last[d]) {
      if (!inPlace) out[d] = path[d]!;
      d++;
    }
    return d;
  }

  /** The concrete index `seg` (not `!`) addresses in an existing array, or -1 (the failure is recorded). */
  #index(arr: unknown[], seg: number, d: number): number {
    const length = arr.length;
    const index = seg >= 0 ? seg : seg === APPEND ? length : length - 1;
    if (index < 0) {
      this.#fail('NO_LAST', d, 0);
      return -1;
    }
    if (index > this.#maxArrayIndex || index - length > this.#maxArrayGap) {
      this.#outOfLimits(index, d);
      return -1;
    }
    return index;
  }

  /**
   * The rest of the path, from depth `from`, is created: its containers are
   * new, so in an array `+` and `!` are 0 and `*` has nothing to address.
   */
  #create(
    path: readonly Segment[],
    n: number,
    out: Segment[],
    inPlace: boolean,
    from: number,
  ): undefined | typeof WALK_FAILED {
    if (from < n) this.createFrom = from;
    for (let d = from; d < n; d++) {
      const seg = path[d]!;
      if (typeof seg === 'string') {
        if (!inPlace) out[d] = seg;
        continue;
      }
      if (seg === LAST) return this.#fail('NO_LAST', d, 0);
      const index = Math.max(0, seg);
      if (index > this.#maxArrayIndex || index > this.#maxArrayGap) {
        return this.#outOfLimits(index, d);
      }
      out[d] = index;
    }
    return undefined;
  }

  /**
   * The caller changed the tree as walked, along a path `n` long: the next
   * walk may start where its path leaves this one, unless the change went
   * to a container with several parents, which may have cut a link the
   * chain goes through (a cycle: after `a.b&=a`, `a.b.b=5` replaces the
   * `a.b` the chain went through).
   */
  settled(n: number): void {
    this.reusable = changedAliased(this.chain, n, this.createFrom, this.resetDepth) ? 0 : n;
  }

  /** `index` is above `maxArrayIndex`, or else too far past the end of its array (`maxArrayGap`). */
  #outOfLimits(index: number, d: number): typeof WALK_FAILED {
    return this.#fail(index > this.#maxArrayIndex ? 'LIMIT_INDEX' : 'LIMIT_GAP', d, index);
  }

  #fail(failure: WalkFailure, depth: number, index: number): typeof WALK_FAILED {
    this.failure = failure;
    this.failDepth = depth;
    this.failIndex = index;
    return WALK_FAILED;
  }
}

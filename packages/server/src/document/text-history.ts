import { type Path, type TextOp, transformTextOp } from '@varstream/varstream';

/**
 * What one applied statement did to the strings a later splice may target:
 * a text operation on the string at `path` (a `~=`, or a `+=` on a string:
 * an insert at its end), or `undefined` when it replaced the value at `path`
 * (and so everything under it): `=`, a delete, `&=`, `!`, arithmetic.
 */
export interface TextEvent {
  readonly rev: number;
  readonly path: Path;
  readonly op: TextOp | undefined;
  /** The client (of the change id `<client>:<seq>`) that wrote it, when it gave an id. */
  readonly author?: string | undefined;
  /**
   * The same change's splices on this string as its author wrote them (before
   * the server transformed them), composed: on the change's last event on
   * this string. Absent on older events (saved before it was kept).
   */
  readonly written?: TextOp | undefined;
  /** The revision the change's splices were based on (`base=`), with `written`. */
  readonly writtenBase?: number | undefined;
}

/** Pays for `steps` transformations before they are done (throws when it cannot). */
export type PayTransforms = (steps: number) => void;

/** What a lookup may still spend: `steps` transformations, each paid with `pay`. */
interface StepBudget {
  steps: number;
  readonly pay: PayTransforms | undefined;
}

/** Takes `steps` from `budget`; false when it has not that many left. */
function spend(budget: StepBudget, steps: number): boolean {
  if (steps > budget.steps) return false;
  budget.steps -= steps;
  budget.pay?.(steps);
  return true;
}

/** What a splice based on revision `base` must be transformed against. */
export type TextHistoryAnswer =
  /** The text operations on that string accepted after `base`, in order. */
  | { readonly kind: 'ops'; readonly ops: TextOp[] }
  /** The string (or a container above it) was replaced after `base`: the splice is void. */
  | { readonly kind: 'replaced' }
  /** Revisions after `base` are no longer all here (`maxTextHistory`): it cannot be transformed. */
  | { readonly kind: 'stale'; readonly from: number }
  /** Bringing the others' operations to the writer's view would take more than `maxTextHistory` steps. */
  | { readonly kind: 'costly'; readonly steps: number };

/**
 * The recent history of a document's strings: one small event per applied
 * statement, the last `maxTextHistory` of them (the oldest go first). The
 * server transforms a splice against the events after the revision the
 * client based it on (PROTOCOL.md 3.6); `from` is the revision after which
 * every event is still here.
 *
 * Cost: recording formats the event's path once (an index by path);
 * a lookup costs the splice path's depth (its ancestors' replacements) plus
 * the text operations on that string since `base`, never the other events.
 */
export class TextHistory {
  readonly #max: number;
  #events: TextEvent[] = [];
  #head = 0;
  #from: number;
  /** The events kept, by path (`pathKey`), oldest first. */
  readonly #byPath = new Map<string, PathEvents>();

  constructor(maxEvents: number, fromRev: number) {
    this.#max = Math.max(0, maxEvents);
    this.#from = fromRev;
  }

  /** Every event after this revision is here. */
  get from(): number {
    return this.#from;
  }

  get size(): number {
    return this.#events.length - this.#head;
  }

  /** The events kept, oldest first (to save with a replica's state). */
  events(): TextEvent[] {
    return this.#events.slice(this.#head);
  }

  /** Puts back events saved by `events()` with their `from` (a replica being loaded). */
  restore(from: number, events: readonly TextEvent[]): void {
    this.#events = [];
    this.#head = 0;
    this.#byPath.clear();
    for (const event of this.#max === 0 ? [] : events.slice(-this.#max)) this.#index(event);
    this.#from = from;
  }

  record(event: TextEvent): void {
    this.#index(event);
    while (this.size > this.#max) {
      const dropped = this.#events[this.#head++]!;
      if (dropped.rev > this.#from) this.#from = dropped.rev;
      const key = pathKey(dropped.path);
      const list = this.#byPath.get(key);
      if (list !== undefined && list.shift() === 0) this.#byPath.delete(key);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }

  #index(event: TextEvent): void {
    this.#events.push(event);
    const key = pathKey(event.path);
    let list = this.#byPath.get(key);
    if (list === undefined) {
      list = new PathEvents();
      this.#byPath.set(key, list);
    }
    list.push(event);
  }

  /**
   * How many events of the string at `path` a lookup `since(base, path)`
   * may walk (an upper bound, in O(log n)): what transforming a splice based
   * on `base` may cost, known before doing it.
   */
  pending(base: number, path: Path): number {
    if (base < this.#from) return 0; // stale: answered without work
    return this.#byPath.get(pathKey(path))?.countAfter(base) ?? 0;
  }

  /**
   * The events that concern a splice on `path` based on revision `base`,
   * written by `author`, expressed as that author saw them. The author's own
   * text operations are not in the answer: a client writes a splice against
   * its own earlier changes (also one that pipelines its splices, not waiting
   * for acknowledgements as PROTOCOL.md 3.6 asks). But another client's
   * operation sequenced before one of the author's own changes was not seen
   * by that change: it is transformed past the change as its author wrote it
   * (`written`, the bridge), as the server did when it sequenced the change.
   * A change based before `base` is first brought to it (transformed past
   * the others' operations between its base and `base`, as its client did
   * when they reached it). Own events without `written` (saved before it was
   * kept), or that cannot be brought to `base` (an own event, or one no
   * longer kept, in between), are left out, as before. Each step is paid
   * with `pay` before it is done; more than `maxTextHistory` steps in all
   * (a writer's changes interleaved with others' far back) is `costly`, the
   * same on every replica.
   */
  since(base: number, path: Path, author?: string, pay?: PayTransforms): TextHistoryAnswer {
    if (base < this.#from) return { kind: 'stale', from: this.#from };
    // A replacement of the string or of a container above it, after `base`?
    for (let depth = 0; depth <= path.length; depth++) {
      const list = this.#byPath.get(pathKey(path, depth));
      if (list?.replacedAfter(base) === true) return { kind: 'replaced' };
    }
    const ops: TextOp[] = [];
    const budget = { steps: this.#max, pay };
    const done = this.#byPath.get(pathKey(path))?.collect(base, author, ops, this.#from, budget);
    return done === false ? { kind: 'costly', steps: this.#max } : { kind: 'ops', ops };
  }
}

/** The events of one path, oldest first. */
class PathEvents {
  #events: TextEvent[] = [];
  #head = 0;
  /** The revision of the last replacement recorded here (0: none). */
  #replacedAt = 0;
  /** The revision of each author's last event here ('' for changes without id). */
  readonly #lastByAuthor = new Map<string, number>();

  push(event: TextEvent): void {
    this.#events.push(event);
    if (event.op === undefined) this.#replacedAt = event.rev;
    this.#lastByAuthor.set(event.author ?? '', event.rev);
  }

  /** Drops the oldest event; returns how many are left. */
  shift(): number {
    const dropped = this.#events[this.#head];
    if (dropped !== undefined) {
      const who = dropped.author ?? '';
      // Its author wrote nothing here since: forget it (the map stays as small as the events).
      if (this.#lastByAuthor.get(who) === dropped.rev) this.#lastByAuthor.delete(who);
    }
    this.#head++;
    if (this.#head > 64 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
    return this.#events.length - this.#head;
  }

  /**
   * Adds to `ops` the text operations after revision `rev` not written by
   * `author`, oldest first, each transformed past the author's own later
   * changes (their `written` op). Cost: the events after `rev`, plus one
   * transformation per other operation and later own change (paid with `pay`).
   */
  collect(
    rev: number,
    author: string | undefined,
    ops: TextOp[],
    from: number,
    budget: StepBudget,
  ): boolean {
    // Nobody else wrote here since `rev` (a writer alone on its string): nothing to walk.
    let others = false;
    for (const [who, last] of this.#lastByAuthor) {
      if (last > rev && (author === undefined || who !== author)) others = true;
    }
    if (!others) return true;
    const events = this.#events;
    const first = this.#firstAfter(rev);
    for (let i = first; i < events.length; i++) {
      const event = events[i]!;
      if (event.op === undefined) continue;
      if (author === undefined || event.author !== author) ops.push(event.op);
      else if (event.written !== undefined && ops.length > 0) {
        const mine = this.#broughtTo(event, rev, first, from, budget);
        if (mine === false) return false;
        if (mine === undefined) continue;
        if (!spend(budget, ops.length)) return false;
        bridge(ops, mine);
      }
    }
    return true;
  }

  /**
   * `event.written` as its author saw it at revision `rev` (events from
   * index `first` on are after `rev`): transformed past the operations
   * between its base and `rev` when it was based before (its client
   * transformed its pending change past each as it arrived; the change goes
   * first at the same place, as the server sequenced it). Undefined when
   * that cannot be told exactly: no base, based after `rev`, an event
   * between no longer kept, its own author's or a replacement in between.
   * False when `budget` cannot pay for it.
   */
  #broughtTo(
    event: TextEvent,
    rev: number,
    first: number,
    from: number,
    budget: StepBudget,
  ): TextOp | undefined | false {
    const base = event.writtenBase;
    let mine = event.written;
    if (base === undefined || mine === undefined || base > rev || base < from) return undefined;
    if (base === rev) return mine;
    const start = this.#firstAfter(base);
    if (!spend(budget, first - start)) return false;
    for (let i = start; i < first; i++) {
      const other = this.#events[i]!;
      if (other.op === undefined || other.author === event.author) return undefined;
      mine = transformTextOp(mine, other.op, 'left');
    }
    return mine;
  }

  /** How many events here came after revision `rev`. */
  countAfter(rev: number): number {
    return this.#events.length - this.#firstAfter(rev);
  }

  /** The index of the first event after revision `rev` (binary search). */
  #firstAfter(rev: number): number {
    const events = this.#events;
    let lo = this.#head;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (events[mid]!.rev <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** True when a replacement was recorded after revision `rev` (one evicted is at or before `from`). */
  replacedAfter(rev: number): boolean {
    return this.#replacedAt > rev;
  }
}

/**
 * Transforms `ops` (operations the author of `written` had not seen, in
 * order) past `written`, as the server did when it sequenced it: `written`
 * went first at the same place (`'left'`), each of `ops` after it.
 */
function bridge(ops: TextOp[], written: TextOp): void {
  let mine = written;
  for (let i = 0; i < ops.length; i++) {
    const other = ops[i]!;
    ops[i] = transformTextOp(other, mine, 'right');
    mine = transformTextOp(mine, other, 'left');
  }
}

/**
 * A map key for the first `depth` segments of a path (all by default), one
 * to one: each key length-prefixed (`4:name`), each index marked (`#3;`),
 * so that no two paths share a key whatever their keys contain.
 */
function pathKey(path: Path, depth = path.length): string {
  let key = '';
  for (let i = 0; i < depth; i++) {
    const segment = path[i]!;
    key += typeof segment === 'number' ? `#${segment};` : `${segment.length}:${segment}`;
  }
  return key;
}

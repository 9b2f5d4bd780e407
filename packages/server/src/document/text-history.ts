import type { Path, TextOp } from '@varstream/varstream';

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
}

/** What a splice based on revision `base` must be transformed against. */
export type TextHistoryAnswer =
  /** The text operations on that string accepted after `base`, in order. */
  | { readonly kind: 'ops'; readonly ops: TextOp[] }
  /** The string (or a container above it) was replaced after `base`: the splice is void. */
  | { readonly kind: 'replaced' }
  /** Revisions after `base` are no longer all here (`maxTextHistory`): it cannot be transformed. */
  | { readonly kind: 'stale'; readonly from: number };

/**
 * The recent history of a document's strings: one small event per applied
 * statement, the last `maxTextHistory` of them (the oldest go first). The
 * server transforms a splice against the events after the revision the
 * client based it on (PROTOCOL.md 3.6); `from` is the revision after which
 * every event is still here.
 *
 * Cost: recording is O(1); a lookup walks the events after `base` (at most
 * `maxTextHistory`), comparing paths.
 */
export class TextHistory {
  readonly #max: number;
  #events: TextEvent[] = [];
  #head = 0;
  #from: number;

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
    this.#events = this.#max === 0 ? [] : events.slice(-this.#max);
    this.#head = 0;
    this.#from = from;
  }

  record(event: TextEvent): void {
    this.#events.push(event);
    while (this.size > this.#max) {
      const dropped = this.#events[this.#head++]!;
      if (dropped.rev > this.#from) this.#from = dropped.rev;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#events.length) {
      this.#events = this.#events.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The events that concern a splice on `path` based on revision `base`. */
  since(base: number, path: Path): TextHistoryAnswer {
    if (base < this.#from) return { kind: 'stale', from: this.#from };
    const events = this.#events;
    let lo = this.#head;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (events[mid]!.rev <= base) lo = mid + 1;
      else hi = mid;
    }
    const ops: TextOp[] = [];
    for (let i = lo; i < events.length; i++) {
      const event = events[i]!;
      if (event.op === undefined) {
        if (isPrefix(event.path, path)) return { kind: 'replaced' };
      } else if (samePath(event.path, path)) {
        ops.push(event.op);
      }
    }
    return { kind: 'ops', ops };
  }
}

function isPrefix(prefix: Path, path: Path): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && isPrefix(a, b);
}

import type { Revision } from './revision.js';

/**
 * The last revisions of a document, kept in memory so that a client that
 * reconnects with `rev=N` gets revisions N+1.. instead of a full snapshot.
 * Bounded by a count and by bytes; the oldest go first.
 */
export class ResumeLog {
  readonly #maxRevisions: number;
  readonly #maxBytes: number;
  #items: Revision[] = [];
  #head = 0;
  #bytes = 0;

  constructor(maxRevisions: number, maxBytes: number) {
    this.#maxRevisions = Math.max(0, maxRevisions);
    this.#maxBytes = Math.max(0, maxBytes);
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Revisions must come in order, each one the next. */
  push(revision: Revision): void {
    if (this.#maxRevisions === 0) return;
    const last = this.#items[this.#items.length - 1];
    if (last !== undefined && this.size > 0 && revision.rev !== last.rev + 1) this.clear();
    this.#items.push(revision);
    this.#bytes += weight(revision);
    while (this.size > this.#maxRevisions || (this.#bytes > this.#maxBytes && this.size > 1)) {
      const dropped = this.#items[this.#head]!;
      this.#bytes -= weight(dropped);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  /**
   * The revisions after `rev` up to `current` (the document's revision), or
   * undefined when some of them are no longer here.
   */
  since(rev: number, current: number): Revision[] | undefined {
    if (rev === current) return [];
    if (rev > current || rev < 0) return undefined;
    const first = this.#items[this.#head];
    if (first === undefined || first.rev > rev + 1) return undefined;
    const last = this.#items[this.#items.length - 1]!;
    if (last.rev !== current) return undefined;
    return this.#items.slice(this.#head + (rev + 1 - first.rev));
  }
}

/** About how many characters the sections of `revisions` hold (see `Revision.length`). */
export function sectionsLength(revisions: readonly Revision[]): number {
  let total = 0;
  for (const revision of revisions) total += revision.length;
  return total;
}

/** Memory a revision holds: its section, and its splice form when it has one. */
function weight(revision: Revision): number {
  return revision.length + (revision.spliceText?.length ?? 0);
}

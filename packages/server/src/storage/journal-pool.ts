/** Something that keeps a journal file open and can close it until its next write. */
export interface JournalHolder {
  /** Closes the open journal (after the writes queued before); the next write reopens it. */
  closeJournal(): void;
}

/**
 * Bounds the journal files open at once across documents (one descriptor
 * each): when one more opens beyond `max`, the least recently written is
 * closed. A document that writes again reopens its journal, so an
 * attacker touching many documents costs reopenings, not descriptors.
 */
export class JournalPool {
  readonly #max: number;
  /** Holders with an open journal, least recently used first (Map order). */
  readonly #open = new Map<JournalHolder, true>();

  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  /** Journals open now. */
  get size(): number {
    return this.#open.size;
  }

  /** `holder` has its journal open and just used it. */
  touch(holder: JournalHolder): void {
    this.#open.delete(holder);
    this.#open.set(holder, true);
    while (this.#open.size > this.#max) {
      const oldest = this.#open.keys().next().value as JournalHolder;
      this.#open.delete(oldest);
      oldest.closeJournal();
    }
  }

  /** `holder` closed its journal. */
  forget(holder: JournalHolder): void {
    this.#open.delete(holder);
  }
}

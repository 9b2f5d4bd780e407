/** What the budget adds up. */
export interface MemorySources {
  /** Estimated bytes of the loaded documents (their snapshot size, plus DOCUMENT_BASE_BYTES each). */
  documentBytes(): number;
  /** Bytes queued for clients that each holds alone (shared welcome parts excluded). */
  backlogBytes(): number;
}

/**
 * What a loaded document costs whatever it holds (its tree, tables, logs
 * and histories), counted for each one next to its snapshot size: a
 * document holding `a=1` weighs 4 bytes of snapshot but about 7.4 KB of
 * heap (measured: 2 000 of them), so a client writing one line to each of
 * many new documents reached no budget (memory-only documents are never
 * unloaded; with a data directory they stay `documentIdleMs`).
 */
export const DOCUMENT_BASE_BYTES = 8 * 1024;

/** How long an estimate is reused: adding it up walks every document and connection. */
const REUSE_MS = 100;

/**
 * The server-wide memory estimate checked against `maxMemoryBytes`: loaded
 * documents, bytes queued for clients, and incoming messages not yet
 * complete (counted as they arrive, see `addIncoming`). It is an estimate of
 * what clients can make the server hold, not the process's heap (JavaScript
 * objects take a few times their VarStream size).
 */
export class MemoryBudget {
  readonly max: number;
  readonly #sources: MemorySources;
  #incoming = 0;
  #estimate = 0;
  #at = Number.NEGATIVE_INFINITY;

  constructor(max: number, sources: MemorySources) {
    this.max = max;
    this.#sources = sources;
  }

  /** Bytes of incoming messages not complete yet, all connections together. */
  get incoming(): number {
    return this.#incoming;
  }

  addIncoming(bytes: number): void {
    this.#incoming += bytes;
  }

  removeIncoming(bytes: number): void {
    this.#incoming = Math.max(0, this.#incoming - bytes);
  }

  /** A document grew by `bytes` (a change committed): the estimate follows until it is recomputed. */
  grew(bytes: number): void {
    this.#estimate += bytes;
  }

  /** The estimate, in bytes (recomputed at most every REUSE_MS; `fresh` forces it). */
  used(fresh = false, now: number = performance.now()): number {
    if (fresh || now - this.#at >= REUSE_MS) {
      this.#estimate = this.#sources.documentBytes() + this.#sources.backlogBytes();
      this.#at = now;
    }
    return this.#estimate + this.#incoming;
  }

  /** True when the estimate is at or above `maxMemoryBytes`. */
  over(fresh = false): boolean {
    return this.used(fresh) >= this.max;
  }
}

import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { SnapshotContent } from '../snapshot/snapshot-file.js';
import type { DocumentStore } from '../storage/document-store.js';

export interface CompactorOptions {
  readonly doc: string;
  readonly compactionBytes: number;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
}

/** Wait before retrying a failed compaction. */
const RETRY_MS = 10_000;

/**
 * Decides when a document's journal is compacted into a snapshot (once it
 * passes `compactionBytes`), runs one compaction at a time, and backs off
 * after a failure. The store does the file work, safely while appends go on.
 */
export class Compactor {
  readonly #store: DocumentStore;
  readonly #options: CompactorOptions;
  #running: Promise<void> | undefined;
  #retryAt = 0;

  constructor(store: DocumentStore, options: CompactorOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** The compaction in progress, if any. */
  get running(): Promise<void> | undefined {
    return this.#running;
  }

  /** Starts a compaction if the journal is large enough and none is running. */
  maybe(content: () => SnapshotContent): void {
    if (this.#running !== undefined) return;
    if (this.#store.journalBytes < this.#options.compactionBytes) return;
    if (performance.now() < this.#retryAt) return;
    void this.run(content());
  }

  /** Compacts now (waits for a running compaction first). */
  async run(content: SnapshotContent): Promise<void> {
    if (this.#running !== undefined) await this.#running;
    const run = this.#compact(content);
    this.#running = run;
    try {
      await run;
    } finally {
      if (this.#running === run) this.#running = undefined;
    }
  }

  async #compact(content: SnapshotContent): Promise<void> {
    const { metrics, logger, doc } = this.#options;
    const start = performance.now();
    try {
      await this.#store.compact(content);
      metrics.compactions.inc({ result: 'ok' });
      metrics.compactionSeconds.observe((performance.now() - start) / 1000);
      logger.info('compacted', { doc, rev: content.rev, bytes: content.text.length });
    } catch (err) {
      this.#retryAt = performance.now() + RETRY_MS;
      metrics.compactions.inc({ result: 'error' });
      logger.error('compaction failed', { doc, error: err });
    }
  }
}

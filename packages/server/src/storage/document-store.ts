import { rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Revision } from '../document/revision.js';
import { JournalFile } from '../journal/journal-file.js';
import { encodeRecord } from '../journal/record.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { syncDir, writeFileAtomic } from '../snapshot/atomic-write.js';
import { encodeSnapshot, type SnapshotContent } from '../snapshot/snapshot-file.js';
import type { DocFiles } from './file-names.js';
import type { FsyncPolicy } from './fsync-policy.js';
import type { JournalHolder, JournalPool } from './journal-pool.js';

export interface DocumentStoreOptions {
  readonly files: DocFiles;
  /** First line of every new journal file (`#vs journal doc=.. epoch=..`). */
  readonly journalHeader: string;
  readonly policy: FsyncPolicy;
  readonly fsyncIntervalMs: number;
  /** Bytes already in the journal(s) on disk. */
  readonly journalBytes: number;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /** Bounds the journals open at once across documents (`maxOpenJournals`). */
  readonly journals?: JournalPool | undefined;
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/**
 * The files of one document: its journal (append-only, one record per
 * revision) and its snapshot. Every operation on the journal runs in order
 * through one queue, so appends, fsyncs and the journal switch of a
 * compaction never interleave.
 *
 * Compaction, while appends go on:
 * 1. (queued) fsync the journal, then send later appends to `.journal.next`;
 * 2. write the snapshot atomically (temp, fsync, rename, fsync directory);
 * 3. (queued) fsync `.journal.next`, rename it over `.journal`, fsync directory.
 * A crash anywhere leaves a loadable state: the loader reads the snapshot,
 * then `.journal`, then `.journal.next`, skipping revisions the snapshot holds.
 */
export class DocumentStore implements JournalHolder {
  readonly #files: DocFiles;
  readonly #header: Buffer;
  readonly #policy: FsyncPolicy;
  readonly #metrics: ServerMetrics;
  readonly #logger: Logger;
  readonly #journals: JournalPool | undefined;
  #journal: JournalFile | undefined;
  /** The live journal is `.journal.next` (a compaction did not finish). */
  #rotated = false;
  #queue: Promise<void> = Promise.resolve();
  #journalBytes: number;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: DocumentStoreOptions) {
    this.#files = options.files;
    this.#header = Buffer.from(options.journalHeader, 'utf8');
    this.#policy = options.policy;
    this.#metrics = options.metrics;
    this.#logger = options.logger;
    this.#journals = options.journals;
    this.#journalBytes = options.journalBytes;
    if (options.policy === 'interval') {
      this.#timer = setInterval(() => {
        this.sync().catch((err: unknown) =>
          this.#logger.error('journal: periodic fsync failed', { error: err }),
        );
      }, options.fsyncIntervalMs);
      this.#timer.unref();
    }
  }

  get policy(): FsyncPolicy {
    return this.#policy;
  }

  /** Bytes written to the journal since the last compaction. */
  get journalBytes(): number {
    return this.#journalBytes;
  }

  #enqueue<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(operation);
    this.#queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #live(): Promise<JournalFile> {
    this.#journal ??= await this.#open(
      this.#rotated ? this.#files.nextJournal : this.#files.journal,
      false,
    );
    this.#journals?.touch(this);
    return this.#journal;
  }

  closeJournal(): void {
    this.#enqueue(async () => {
      const journal = this.#journal;
      if (journal === undefined) return;
      this.#journal = undefined;
      this.#journals?.forget(this);
      this.#observe(await journal.sync());
      await journal.close();
    }).catch((err: unknown) => this.#logger.error('journal: close failed', { error: err }));
  }

  async #open(path: string, truncate: boolean): Promise<JournalFile> {
    const journal = await JournalFile.open(path, { truncate });
    if (journal.size === 0) await journal.append(this.#header);
    return journal;
  }

  /** Appends revisions (in order); with `sync`, resolves once they are fsynced. */
  append(revisions: readonly Revision[], sync: boolean): Promise<void> {
    let text = '';
    for (const revision of revisions) {
      // `body` only when there is no journal form: for a change with splices
      // it writes whole strings (and is only made when read).
      const body = revision.journalBody ?? revision.body;
      const { rev, conn, id, owner } = revision;
      text += encodeRecord({ rev, conn, id, owner, body });
    }
    const data = Buffer.from(text, 'utf8');
    this.#journalBytes += data.length;
    return this.#enqueue(async () => {
      if (this.#closed) throw new Error('journal closed');
      const journal = await this.#live();
      await journal.append(data);
      this.#metrics.journalBytes.inc(data.length);
      if (sync) this.#observe(await journal.sync());
    });
  }

  /** fsyncs what was written so far. */
  sync(): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#journal !== undefined) this.#observe(await this.#journal.sync());
    });
  }

  #observe(seconds: number | undefined): void {
    if (seconds !== undefined) this.#metrics.fsyncSeconds.observe(seconds);
  }

  /** Writes a snapshot of revision `content.rev` and drops the journal up to it. */
  async compact(content: SnapshotContent): Promise<void> {
    const data = encodeSnapshot(content);
    if (!this.#rotated) {
      await this.#enqueue(async () => {
        if (this.#journal !== undefined) {
          this.#observe(await this.#journal.sync());
          await this.#journal.close();
        }
        this.#journal = await this.#open(this.#files.nextJournal, true);
        this.#journals?.touch(this);
        this.#rotated = true;
        this.#journalBytes = 0;
      });
    }
    await writeFileAtomic(this.#files.snapshot, this.#files.temp, data);
    await this.#enqueue(async () => {
      const journal = await this.#live();
      this.#observe(await journal.sync());
      await rename(this.#files.nextJournal, this.#files.journal);
      journal.path = this.#files.journal;
      this.#rotated = false;
      await syncDir(dirname(this.#files.journal));
    });
  }

  /**
   * Compaction before any append (at load, after an interrupted compaction):
   * snapshot first, then both journals removed.
   */
  compactIdle(content: SnapshotContent): Promise<void> {
    return this.#enqueue(async () => {
      if (this.#journal !== undefined) throw new Error('compactIdle after an append');
      await writeFileAtomic(this.#files.snapshot, this.#files.temp, encodeSnapshot(content));
      await unlinkIfExists(this.#files.nextJournal);
      await unlinkIfExists(this.#files.journal);
      await syncDir(dirname(this.#files.journal));
      this.#rotated = false;
      this.#journalBytes = 0;
    });
  }

  /** Waits for queued writes, fsyncs and closes. */
  close(): Promise<void> {
    clearInterval(this.#timer);
    return this.#enqueue(async () => {
      this.#closed = true;
      const journal = this.#journal;
      this.#journal = undefined;
      this.#journals?.forget(this);
      if (journal !== undefined) {
        this.#observe(await journal.sync());
        await journal.close();
      }
    });
  }
}

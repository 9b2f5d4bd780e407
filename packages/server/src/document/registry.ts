import { PathContext, type Statement } from '@varstream/varstream';
import { ServerError } from '../errors.js';
import { encodeJournalHeader } from '../journal/record.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { DocumentStore } from '../storage/document-store.js';
import { docFiles } from '../storage/file-names.js';
import type { FsyncPolicy } from '../storage/fsync-policy.js';
import { JournalPool } from '../storage/journal-pool.js';
import { type LostHistory, loadDocument } from '../storage/load-document.js';
import { newEpoch } from './epoch.js';
import { type DocumentConfig, type DocumentState, HostedDocument } from './hosted-document.js';
import { writeStatements } from './server-write.js';

/** Statements that become the first revision of a document that has none. */
export interface SeedState {
  readonly doc: string;
  readonly statements: readonly Statement[];
}

export interface RegistryOptions {
  /** Document config, without `onFailed` (the registry handles it). */
  readonly config: Omit<DocumentConfig, 'onFailed'>;
  readonly dataDir: string | undefined;
  readonly fsync: FsyncPolicy;
  readonly seed: SeedState | undefined;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
}

function emptyState(): DocumentState {
  return { epoch: newEpoch(), root: {}, rev: 0, revisions: [], applied: [] };
}

/**
 * Whether what the loader could not read was history that clients may hold.
 * A torn last record under `fsync: 'always'` was never sent (nothing is sent
 * before it is fsynced); under `interval` or `never` it may have been, and
 * so may anything after a corrupt record or in an unreadable snapshot.
 */
function lostHistory(lost: LostHistory | undefined, fsync: FsyncPolicy): boolean {
  if (lost === undefined) return false;
  return lost.kind !== 'torn' || fsync !== 'always';
}

/**
 * The documents in memory, by name: loaded (from disk with a data
 * directory) on first use, one load at a time per name.
 */
export class DocumentRegistry {
  readonly #options: RegistryOptions;
  readonly #config: DocumentConfig;
  readonly #docs = new Map<string, HostedDocument>();
  readonly #loading = new Map<string, Promise<HostedDocument>>();
  /** Documents being unloaded: a load of the same name waits for their files to be closed. */
  readonly #unloading = new Map<string, Promise<void>>();
  /** When each loaded document was first seen without members (see `sweep`). */
  readonly #idleSince = new Map<HostedDocument, number>();
  readonly #sweeper: NodeJS.Timeout | undefined;
  readonly #journals: JournalPool;
  #closed = false;

  constructor(options: RegistryOptions) {
    this.#options = options;
    this.#journals = new JournalPool(options.config.limits.maxOpenJournals);
    if (options.dataDir !== undefined) {
      // Memory-only documents are never unloaded: they exist nowhere else.
      const every = Math.max(10, options.config.limits.documentIdleMs / 4);
      this.#sweeper = setInterval(() => this.sweep(), every);
      this.#sweeper.unref();
    }
    this.#config = {
      ...options.config,
      onFailed: (doc) => {
        if (this.#docs.get(doc.name) === doc) this.#docs.delete(doc.name);
      },
    };
  }

  get size(): number {
    return this.#docs.size;
  }

  get(name: string): HostedDocument | undefined {
    return this.#docs.get(name);
  }

  values(): IterableIterator<HostedDocument> {
    return this.#docs.values();
  }

  open(name: string): Promise<HostedDocument> {
    if (this.#closed) return Promise.reject(new ServerError('CLOSED', 'The server is closing'));
    const doc = this.#docs.get(name);
    if (doc !== undefined) return Promise.resolve(doc);
    let loading = this.#loading.get(name);
    if (loading === undefined) {
      loading = this.#load(name).finally(() => this.#loading.delete(name));
      this.#loading.set(name, loading);
    }
    return loading;
  }

  async #load(name: string): Promise<HostedDocument> {
    const { dataDir, fsync, metrics, logger, seed, config } = this.#options;
    await this.#unloading.get(name);
    let state = emptyState();
    let store: DocumentStore | undefined;
    let interrupted = false;
    if (dataDir !== undefined) {
      const files = docFiles(dataDir, name);
      const loaded = await loadDocument(files, name, config.limits, logger);
      // History lost (see lostHistory): a new epoch, so that no client replays
      // revision numbers that now name other changes; compacted at once so
      // that the files carry the new epoch.
      const lost = lostHistory(loaded.lost, fsync);
      state = { ...loaded, epoch: loaded.epoch === undefined || lost ? newEpoch() : loaded.epoch };
      interrupted = loaded.interrupted || lost;
      if (loaded.lost !== undefined) {
        metrics.storageRecoveries.inc({ kind: loaded.lost.kind });
        if (lost) {
          logger.error('document loaded without part of its history: new epoch', {
            doc: name,
            kind: loaded.lost.kind,
            reason: loaded.lost.reason,
            rev: loaded.rev,
            epoch: state.epoch,
          });
        }
      }
      store = new DocumentStore({
        files,
        journalHeader: encodeJournalHeader(name, state.epoch),
        policy: fsync,
        fsyncIntervalMs: config.limits.fsyncIntervalMs,
        journalBytes: loaded.journalBytes,
        metrics,
        logger,
        journals: this.#journals,
      });
      if (loaded.rev > 0) logger.info('document loaded', { doc: name, rev: loaded.rev });
    }
    const doc = new HostedDocument(name, state, this.#config, store);
    if (interrupted) await doc.compactIdle();
    if (seed !== undefined && seed.doc === name && doc.rev === 0) {
      const { revision, errors } = writeStatements(doc, seed.statements, new PathContext(), {
        atomic: false,
        unsafeKeys: config.unsafeKeys,
      });
      for (const error of errors)
        logger.warn('initial state: statement skipped', { doc: name, error });
      if (revision !== undefined) {
        logger.info('initial state loaded', { doc: name, rev: revision.rev });
        await doc.whenIdle();
      }
    }
    if (this.#closed) {
      await doc.close();
      throw new ServerError('CLOSED', 'The server is closing');
    }
    this.#docs.set(name, doc);
    return doc;
  }

  /** Forgets a document that has no member and nothing in it (no revision). */
  release(doc: HostedDocument): void {
    if (doc.members === 0 && doc.rev === 0 && this.#docs.get(doc.name) === doc) {
      this.#docs.delete(doc.name);
      void doc.close();
    }
  }

  /** Journal files open now (at most `maxOpenJournals`). */
  get openJournals(): number {
    return this.#journals.size;
  }

  /**
   * With a data directory, unloads the documents that have had no member for
   * `documentIdleMs` (`all`: every document without members, at once): each
   * is written, its journal closed, and it is dropped from memory; the next
   * connection loads it again.
   */
  sweep(all = false): number {
    if (this.#options.dataDir === undefined || this.#closed) return 0;
    const now = performance.now();
    const idleMs = this.#options.config.limits.documentIdleMs;
    let unloaded = 0;
    for (const doc of [...this.#docs.values()]) {
      if (doc.members > 0 || doc.status !== 'open') {
        this.#idleSince.delete(doc);
        continue;
      }
      const since = this.#idleSince.get(doc);
      if (since === undefined && !all) {
        this.#idleSince.set(doc, now);
        continue;
      }
      if (!all && now - since! < idleMs) continue;
      this.#unload(doc);
      unloaded++;
    }
    return unloaded;
  }

  #unload(doc: HostedDocument): void {
    const name = doc.name;
    this.#idleSince.delete(doc);
    this.#docs.delete(name);
    this.#options.metrics.documentsUnloaded.inc();
    this.#options.logger.debug('idle document unloaded', { doc: name });
    const closing = doc
      .close()
      .catch((err: unknown) =>
        this.#options.logger.error('unloading a document failed', { doc: name, error: err }),
      )
      .finally(() => {
        if (this.#unloading.get(name) === closing) this.#unloading.delete(name);
      });
    this.#unloading.set(name, closing);
  }

  /** Flushes and closes every document (journals complete and fsynced). */
  async closeAll(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    await Promise.allSettled([...this.#unloading.values()]);
    await Promise.allSettled([...this.#loading.values()]);
    const docs = [...this.#docs.values()];
    this.#docs.clear();
    const results = await Promise.allSettled(docs.map((doc) => doc.close()));
    for (const result of results) {
      if (result.status === 'rejected') {
        this.#options.logger.error('closing a document failed', { error: result.reason });
      }
    }
  }
}

import { CloseCode } from '@varstream/protocol';
import { PathContext } from '@varstream/varstream';
import type { Attachment, FrameSink, SharedLog } from '../connection/frame-sink.js';
import { newEpoch } from '../document/epoch.js';
import { type DocumentConfig, HostedDocument } from '../document/hosted-document.js';
import type { SeedState } from '../document/registry.js';
import { writeStatements } from '../document/server-write.js';
import { ServerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { DocumentReplica, type WriteOutcome } from './document-replica.js';
import { NodeLiveness } from './node-liveness.js';
import { RedisFrameSink } from './redis-frame-sink.js';
import { documentKeys } from './redis-keys.js';
import { RedisLink } from './redis-link.js';
import { RedisMetrics } from './redis-metrics.js';
import {
  decodeReplicaSnapshot,
  encodeReplicaSnapshot,
  replicaFingerprint,
} from './replica-snapshot.js';
import { StreamReader } from './stream-reader.js';

export interface RedisRegistryOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://`). */
  readonly url: string;
  /** Document config, without `onFailed`. */
  readonly config: Omit<DocumentConfig, 'onFailed'>;
  readonly seed: SeedState | undefined;
  readonly logger: Logger;
}

/** A Redis command failed: the document cannot be loaded now. */
function unavailable(err: unknown): never {
  throw new ServerError('UNAVAILABLE', 'Redis is unavailable: the document cannot be loaded now', {
    cause: err,
  });
}

/** Entries read per XRANGE while a document is loaded. */
const CATCH_UP_BATCH = 1_000;
/** Loads retried when the log moved under a loading node (trimmed behind a new snapshot). */
const LOAD_ATTEMPTS = 3;

/**
 * The documents of a node on Redis: each a DocumentReplica fed by its log.
 * Loading one reads its snapshot from Redis (creating the first one, with
 * the initial state, if the document is new) and the log after it; then the
 * node's StreamReader keeps it current. A document no local client uses is
 * unloaded (nothing is lost: Redis holds it).
 */
export class RedisRegistry implements SharedLog {
  readonly #options: RedisRegistryOptions;
  readonly #config: DocumentConfig;
  readonly #fingerprint: string;
  #link: RedisLink | undefined;
  #metrics: RedisMetrics | undefined;
  #node = '';
  #reader: StreamReader | undefined;
  #liveness: NodeLiveness | undefined;
  readonly #replicas = new Map<string, DocumentReplica>();
  readonly #byDoc = new WeakMap<HostedDocument, DocumentReplica>();
  readonly #loading = new Map<string, Promise<HostedDocument>>();
  #closed = false;

  constructor(options: RedisRegistryOptions) {
    this.#options = options;
    this.#config = { ...options.config, deterministic: true, onFailed: () => {} };
    this.#fingerprint = replicaFingerprint(options.config.limits, options.config.unsafeKeys);
  }

  /** Connects to Redis and starts reading; resolves with this node's id. */
  async start(): Promise<string> {
    const { url, logger, config } = this.#options;
    const link = await RedisLink.connect(url, logger, config.limits.redisCommandTimeoutMs);
    this.#link = link;
    this.#metrics = new RedisMetrics(config.metrics.registry, () => link.ready);
    this.#node = await link.newNodeId();
    this.#reader = new StreamReader(link, logger);
    this.#reader.start();
    this.#liveness = new NodeLiveness(
      link,
      this.#node,
      config.limits.redisNodeTtlMs,
      logger,
      () => this.#replicas.values(),
      () => this.#verifyAll(),
    );
    await this.#liveness.start();
    link.onBack(() => void this.#verifyAll());
    logger.info('on redis', { node: this.#node });
    return this.#node;
  }

  get node(): string {
    return this.#node;
  }

  get size(): number {
    return this.#replicas.size;
  }

  get(name: string): HostedDocument | undefined {
    return this.#replicas.get(name)?.doc;
  }

  *values(): IterableIterator<HostedDocument> {
    for (const replica of this.#replicas.values()) yield replica.doc;
  }

  open(name: string): Promise<HostedDocument> {
    if (this.#closed) return Promise.reject(new ServerError('CLOSED', 'The server is closing'));
    const replica = this.#replicas.get(name);
    if (replica !== undefined) return Promise.resolve(replica.doc);
    let loading = this.#loading.get(name);
    if (loading === undefined) {
      loading = this.#load(name).finally(() => this.#loading.delete(name));
      this.#loading.set(name, loading);
    }
    return loading;
  }

  async #load(name: string): Promise<HostedDocument> {
    const link = this.#requireLink();
    const keys = documentKeys(name);
    for (let attempt = 1; ; attempt++) {
      const stored = await link.createSnapshot(keys, this.#initialState(name)).catch(unavailable);
      const snapshot = decodeReplicaSnapshot(stored.state, name);
      if (snapshot.fingerprint !== this.#fingerprint) {
        throw new ServerError(
          'BAD_OPTION',
          `Document ${name} is served by nodes with other limits or unsafe keys: every node must use the same`,
        );
      }
      const at = { seq: stored.seq, gen: stored.gen };
      const replica = new DocumentReplica(name, keys, snapshot, at, this.#config, {
        link,
        node: this.#node,
        limits: this.#config.limits,
        unsafeKeys: this.#config.unsafeKeys,
        metrics: this.#config.metrics,
        logger: this.#options.logger,
        fingerprint: this.#fingerprint,
        redisMetrics: this.#requireMetrics(),
        onStale: (stale) => this.#onStale(stale),
        onLost: (lost) => void this.#verify(lost),
      });
      for (;;) {
        const entries = await link.range(keys, replica.position, CATCH_UP_BATCH).catch(unavailable);
        if (entries.length === 0 || replica.stale || replica.lost) break;
        replica.applyEntries(entries);
      }
      if (replica.stale || replica.lost) {
        await replica.close();
        if (attempt < LOAD_ATTEMPTS) continue;
        throw new ServerError('UNAVAILABLE', `The log of ${name} keeps moving: try again`);
      }
      if (this.#closed) {
        await replica.close();
        throw new ServerError('CLOSED', 'The server is closing');
      }
      this.#replicas.set(name, replica);
      this.#byDoc.set(replica.doc, replica);
      this.#reader!.add(replica);
      if (replica.doc.rev > 0) {
        this.#options.logger.info('document loaded', {
          doc: name,
          rev: replica.doc.rev,
          seq: replica.seq,
        });
      }
      return replica.doc;
    }
  }

  /** The first snapshot of a new document: empty, or the initial state. */
  #initialState(name: string): string {
    const { seed, logger } = this.#options;
    const epoch = newEpoch();
    const doc = new HostedDocument(
      name,
      { epoch, root: {}, rev: 0, revisions: [], applied: [] },
      this.#config,
      undefined,
    );
    if (seed !== undefined && seed.doc === name) {
      const { errors } = writeStatements(doc, seed.statements, new PathContext(), {
        atomic: false,
        unsafeKeys: this.#config.unsafeKeys,
      });
      for (const error of errors)
        logger.warn('initial state: statement skipped', { doc: name, error });
    }
    const state = encodeReplicaSnapshot({
      ...doc.replicaState(),
      epoch,
      fingerprint: this.#fingerprint,
      conns: [],
    });
    void doc.close();
    return state;
  }

  #requireMetrics(): RedisMetrics {
    if (this.#metrics === undefined) throw new ServerError('CLOSED', 'Not connected to Redis yet');
    return this.#metrics;
  }

  #requireLink(): RedisLink {
    if (this.#link === undefined) throw new ServerError('CLOSED', 'Not connected to Redis yet');
    return this.#link;
  }

  // --- SharedLog ----------------------------------------------------------------------

  async catchUp(doc: HostedDocument, rev: number | undefined): Promise<void> {
    const replica = this.#byDoc.get(doc);
    if (replica === undefined || rev === undefined) return;
    await replica.reach(rev, this.#config.limits.redisCatchUpMs);
  }

  attach(doc: HostedDocument, attachment: Attachment): FrameSink {
    const replica = this.#byDoc.get(doc);
    if (replica === undefined || replica.stale) {
      throw new ServerError('UNAVAILABLE', `${doc.name} is being reloaded`);
    }
    return new RedisFrameSink(replica, attachment, this.#config.limits);
  }

  /** A server-side write, through the log. */
  async write(name: string, text: string, atomic: boolean): Promise<WriteOutcome> {
    await this.open(name);
    const replica = this.#replicas.get(name);
    if (replica === undefined) throw new ServerError('UNAVAILABLE', `${name} is being reloaded`);
    return replica.write(text, atomic);
  }

  // --- unloading ----------------------------------------------------------------------

  /**
   * Unloads a document no connection of this node uses, once Redis is known
   * to hold all this node applied (see `#verify`): while Redis is
   * unreachable, or came back without the document, this node's copy may be
   * the only one left, and stays loaded (the liveness check unloads it later).
   */
  release(doc: HostedDocument): void {
    const replica = this.#byDoc.get(doc);
    if (replica === undefined || !this.#unused(replica)) return;
    void this.#verify(replica);
  }

  #unused(replica: DocumentReplica): boolean {
    return (
      this.#replicas.get(replica.name) === replica &&
      replica.doc.members === 0 &&
      replica.locals().length === 0
    );
  }

  #unload(replica: DocumentReplica): void {
    this.#replicas.delete(replica.name);
    this.#reader?.remove(replica);
    void replica.close();
  }

  #onStale(replica: DocumentReplica): void {
    if (this.#replicas.get(replica.name) !== replica) return; // still loading: the load retries
    this.#unload(replica);
    for (const member of replica.locals()) {
      member.close(CloseCode.UNAVAILABLE, 'The document is being reloaded: reconnect');
    }
  }

  /**
   * Redis is back: checks that it still holds what this node applied (see `#verify`).
   */
  async #verifyAll(): Promise<void> {
    for (const replica of [...this.#replicas.values()]) await this.#verify(replica);
  }

  /**
   * A Redis that lost a document (restarted without persistence or from
   * older data, flushed, evicting keys) gets this node's copy as a new
   * history (new epoch, new `gen`), unless another node gave a copy holding
   * as much (the most advanced copy wins: RECOVER in redis-link.ts); the
   * document is then loaded again, and its clients reconnect (1013) to the
   * history Redis now holds.
   */
  async #verify(replica: DocumentReplica): Promise<void> {
    const link = this.#link;
    if (link === undefined || replica.stale) return;
    // Read before asking: the replica applies on meanwhile, the counter never goes back.
    const applied = replica.seq;
    try {
      const held = await link.position(replica.keys);
      if (held !== undefined && held.gen === replica.gen && held.last >= applied) {
        // Redis holds all this copy holds: unused, it can go.
        if (this.#unused(replica)) this.#unload(replica);
        return;
      }
      if (replica.stale) return;
      // The state and the entry it follows, taken together.
      const at = replica.seq;
      const state = encodeReplicaSnapshot({ ...replica.snapshot(newEpoch()), conns: [] });
      if (await link.recover(replica.keys, replica.gen, at, state)) {
        this.#options.logger.error("redis lost a document: it gets this node's copy", {
          doc: replica.name,
          seq: at,
        });
      }
      this.#metrics?.reloads.inc({ reason: 'lost' });
      replica.markStale('Redis lost the document');
    } catch (err) {
      if (this.#closed) return; // closing: the link went first
      this.#options.logger.warn('could not verify a document in redis', {
        doc: replica.name,
        error: err,
      });
    }
  }

  // --- end ----------------------------------------------------------------------------

  async closeAll(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#loading.values()]);
    this.#liveness?.stop();
    this.#reader?.stop();
    const replicas = [...this.#replicas.values()];
    this.#replicas.clear();
    // This node's connections leave every replica at once (they are closed next).
    await Promise.allSettled(
      replicas.map((replica) => replica.append({ kind: 'nodeGone', node: this.#node })),
    );
    await Promise.allSettled(replicas.map((replica) => replica.close()));
    this.#link?.close();
  }
}

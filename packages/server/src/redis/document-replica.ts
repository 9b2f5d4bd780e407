import { CloseCode } from '@varstream/protocol';
import { PathContext, Tree } from '@varstream/varstream';
import { type ResolvedIdentity, resolveIdentity } from '../auth/identity.js';
import { FrameHandler } from '../connection/frame-handler.js';
import { type DocumentConfig, HostedDocument } from '../document/hosted-document.js';
import type { Member } from '../document/member.js';
import { writeStatements } from '../document/server-write.js';
import { ServerError } from '../errors.js';
import { TokenBucket } from '../limits/token-bucket.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { ServerLimits } from '../options/defaults.js';
import { readStatements } from '../reading/statement-reader.js';
import { applyText } from '../storage/apply-text.js';
import { loadLimits } from '../storage/load-document.js';
import { decodeEntry, encodeEntry, type LogEntry, nodeOfConn } from './log-entry.js';
import type { DocumentKeys } from './redis-keys.js';
import type { LogPosition, RedisLink, StreamEntry } from './redis-link.js';
import type { RedisMetrics } from './redis-metrics.js';
import { RemoteMember } from './remote-member.js';
import { encodeReplicaSnapshot, type ReplicaSnapshot, type SavedConn } from './replica-snapshot.js';

export interface ReplicaDeps {
  readonly link: RedisLink;
  /** This node's id. */
  readonly node: string;
  readonly limits: Readonly<ServerLimits>;
  readonly unsafeKeys: ReadonlySet<string>;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  readonly fingerprint: string;
  readonly redisMetrics: RedisMetrics;
  /** The replica missed entries (a trimmed or lost log): it must be loaded again. */
  readonly onStale: (replica: DocumentReplica, why: string) => void;
  /**
   * Redis refused an append, or the log holds entries of another history:
   * the document is not there any more, or another copy was given.
   */
  readonly onLost: (replica: DocumentReplica) => void;
}

/** A connection every replica knows (it joined through the log). */
interface Replicated {
  readonly saved: Omit<SavedConn, 'previous' | 'presence'>;
  readonly context: PathContext;
  readonly member: Member;
  readonly handler: FrameHandler;
}

export interface WriteOutcome {
  readonly rev: number | undefined;
  readonly errors: readonly Error[];
}

interface PendingWrite {
  resolve(outcome: WriteOutcome): void;
  reject(error: unknown): void;
}

/** Entries appended in one script call, at most. */
const APPEND_BATCH = 256;

interface PendingAppend {
  readonly fields: readonly string[];
  resolve(seq: number): void;
  reject(error: unknown): void;
}

/** Applying a frame read back from the log never waits for tokens: the origin node took them. */
const UNLIMITED = new TokenBucket(Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY);

/**
 * This node's copy of one document on Redis: a HostedDocument fed by the
 * document's input log, entry after entry, in the log's order.
 *
 * Every node applies the same entries to the same state with the same code
 * (deterministic: no clock, no local state), so every node produces the
 * same revisions with the same numbers, and rejects the same changes. The
 * node a connection is on also sends it its replies (acks, rejections),
 * when its frame comes back from the log: an acknowledged change is in
 * Redis.
 */
export class DocumentReplica {
  readonly name: string;
  readonly keys: DocumentKeys;
  readonly doc: HostedDocument;
  readonly #deps: ReplicaDeps;
  /** The last entry applied. */
  #seq: number;
  /** The history this copy follows (Redis's log of the document since it was created, or given again). */
  readonly gen: number;
  /** The entry of the last snapshot this node knows of. */
  #snapshotSeq: number;
  /** Bytes of the entries applied since then (a snapshot is also due after `compactionBytes`). */
  #bytesSinceSnapshot = 0;
  readonly #conns = new Map<string, Replicated>();
  /** This node's connections to the document, by id. */
  readonly #locals = new Map<string, Member>();
  readonly #writes = new Map<string, PendingWrite>();
  #writeSeq = 0;
  #revWaiters: { rev: number; resolve: () => void }[] = [];
  /** Leaves that could not be appended (Redis down): tried again by `retry()`. */
  readonly #unsentLeaves = new Set<string>();
  #snapshotting = false;
  #stale = false;
  /** The log holds another history: nothing more is applied, the registry reloads this copy. */
  #lost = false;
  /** Entries to append at the end of this event-loop turn (one script call for all). */
  #appending: PendingAppend[] = [];

  constructor(
    name: string,
    keys: DocumentKeys,
    snapshot: ReplicaSnapshot,
    at: LogPosition,
    config: DocumentConfig,
    deps: ReplicaDeps,
  ) {
    this.name = name;
    this.keys = keys;
    this.#deps = deps;
    const seq = at.seq;
    this.#seq = seq;
    this.gen = at.gen;
    this.#snapshotSeq = seq;
    const tree = new Tree({}, { limits: loadLimits(deps.limits) });
    applyText(tree, snapshot.text, loadLimits(deps.limits));
    this.doc = new HostedDocument(
      name,
      {
        epoch: snapshot.epoch,
        root: tree.root,
        rev: snapshot.rev,
        revisions: [],
        applied: snapshot.applied,
        size: snapshot.size,
        recountRev: snapshot.recountRev,
        textHistory: snapshot.textHistory,
      },
      { ...config, deterministic: true },
      undefined,
    );
    for (const saved of snapshot.conns) {
      const replicated = this.#replicate(saved, saved.previous);
      if (saved.presence !== undefined) this.doc.restorePresence(replicated.member, saved.presence);
    }
  }

  /** The last log entry applied. */
  get seq(): number {
    return this.#seq;
  }

  /** Where this copy is in the log: the last entry applied, of its history. */
  get position(): LogPosition {
    return { seq: this.#seq, gen: this.gen };
  }

  get stale(): boolean {
    return this.#stale;
  }

  /** The log holds another history: this copy applies nothing more (it is checked, then reloaded). */
  get lost(): boolean {
    return this.#lost;
  }

  // --- applying the log -------------------------------------------------------------

  /** Applies entries read from the log (those already applied are skipped). */
  applyEntries(entries: readonly StreamEntry[]): void {
    for (const { seq, gen, fields } of entries) {
      if (this.#stale || this.#lost) return;
      if (gen !== this.gen) {
        // Redis lost the document and a node gave it a copy: this one may hold more (the registry decides).
        if (!this.#lost) {
          this.#lost = true;
          this.#deps.logger.warn('the log holds another history', { doc: this.name, seq });
          this.#deps.onLost(this);
        }
        return;
      }
      if (seq <= this.#seq) continue;
      if (seq !== this.#seq + 1) {
        this.#deps.redisMetrics.reloads.inc({ reason: 'gap' });
        this.#goStale(`log entry ${seq} follows ${this.#seq}: entries were trimmed or lost`);
        return;
      }
      this.#seq = seq;
      this.#deps.redisMetrics.applied.inc();
      for (const field of fields) this.#bytesSinceSnapshot += field.length;
      const entry = decodeEntry(fields);
      if (entry === undefined) {
        this.#deps.logger.warn('unknown log entry skipped', { doc: this.name, seq });
        continue;
      }
      try {
        this.#apply(entry);
      } catch (err) {
        // Every node runs the same code on the same state: it fails alike everywhere.
        this.#deps.logger.error('log entry failed', { doc: this.name, seq, error: err });
      }
    }
    this.#wakeRevWaiters();
    this.#maybeSnapshot();
  }

  #apply(entry: LogEntry): void {
    switch (entry.kind) {
      case 'join': {
        if (this.#conns.has(entry.conn)) return;
        this.#replicate(
          { conn: entry.conn, access: entry.access, scope: entry.scope, client: entry.client },
          [],
        );
        return;
      }
      case 'frame': {
        const replicated = this.#conns.get(entry.conn);
        if (replicated === undefined) {
          // Its join never reached the log (Redis was down), or its node was declared gone.
          this.#locals
            .get(entry.conn)
            ?.close(CloseCode.UNAVAILABLE, 'Lost track of this connection: reconnect');
          return;
        }
        replicated.handler.handle(Buffer.from(entry.data, 'utf8'), entry.baseShift);
        return;
      }
      case 'leave':
        this.#forget(entry.conn);
        return;
      case 'nodeGone': {
        for (const conn of [...this.#conns.keys()]) {
          if (nodeOfConn(conn) === entry.node) this.#forget(conn);
        }
        if (entry.node === this.#deps.node) {
          for (const member of this.#locals.values()) {
            member.close(CloseCode.UNAVAILABLE, 'This server lost Redis for too long: reconnect');
          }
        }
        return;
      }
      case 'write':
        this.#applyWrite(entry.token, entry.atomic, entry.data);
        return;
    }
  }

  #replicate(
    saved: Omit<SavedConn, 'previous' | 'presence'>,
    previous: readonly (string | number)[],
  ): Replicated {
    const context = new PathContext();
    context.previous = [...previous];
    let member = this.#locals.get(saved.conn);
    if (member === undefined) {
      member = new RemoteMember(saved.conn);
      this.doc.joinRemote(member);
    }
    const identity: ResolvedIdentity = resolveIdentity({
      access: saved.access,
      ...(saved.scope === undefined ? {} : { scope: saved.scope }),
    }) ?? { access: 'read', scope: undefined, user: undefined };
    const { limits, unsafeKeys, metrics } = this.#deps;
    const handler = new FrameHandler({
      member,
      doc: this.doc,
      identity,
      context,
      limits,
      unsafeKeys,
      bucket: UNLIMITED,
      metrics,
      client: saved.client,
      onFlood: () => {},
    });
    const replicated: Replicated = { saved, context, member, handler };
    this.#conns.set(saved.conn, replicated);
    return replicated;
  }

  #forget(conn: string): void {
    const replicated = this.#conns.get(conn);
    if (replicated === undefined) return;
    this.#conns.delete(conn);
    this.doc.leave(replicated.member);
  }

  #applyWrite(token: string, atomic: boolean, text: string): void {
    const pending = this.#writes.get(token);
    this.#writes.delete(token);
    try {
      // Written by a node (statements it read, or `writeStatements`'): read back as its own files are.
      const statements = readStatements(text, loadLimits(this.#deps.limits));
      const { revision, errors } = writeStatements(this.doc, statements, new PathContext(), {
        atomic,
        unsafeKeys: this.#deps.unsafeKeys,
      });
      pending?.resolve({ rev: revision?.rev, errors });
    } catch (err) {
      if (pending === undefined) return;
      pending.reject(err);
    }
  }

  // --- this node's connections and writes -----------------------------------------

  /**
   * Appends an entry; resolves with its number once Redis holds it. The
   * entries of one event-loop turn go in one script call, in order.
   */
  append(entry: LogEntry): Promise<number> {
    if (this.#stale) {
      return Promise.reject(new ServerError('UNAVAILABLE', `${this.name} is being reloaded`));
    }
    return new Promise((resolve, reject) => {
      if (this.#appending.length === 0) setImmediate(this.#sendAppends);
      this.#appending.push({ fields: encodeEntry(entry), resolve, reject });
    });
  }

  readonly #sendAppends = (): void => {
    const pending = this.#appending;
    this.#appending = [];
    for (let start = 0; start < pending.length; start += APPEND_BATCH) {
      const batch = pending.slice(start, start + APPEND_BATCH);
      const { redisMetrics } = this.#deps;
      const timer = redisMetrics.appendSeconds.startTimer();
      this.#deps.link
        .append(
          this.keys,
          this.gen,
          batch.map((item) => item.fields),
        )
        .then(
          (first) => {
            timer();
            redisMetrics.appends.inc({ result: 'ok' }, batch.length);
            for (const [i, item] of batch.entries()) item.resolve(first + i);
          },
          (err: unknown) => {
            redisMetrics.appends.inc({ result: 'error' }, batch.length);
            if (err instanceof Error && err.message.startsWith('NOSNAPSHOT')) {
              this.#deps.onLost(this);
            }
            const error = new ServerError(
              'UNAVAILABLE',
              'Redis is unavailable: the change was not stored',
              { cause: err },
            );
            for (const item of batch) item.reject(error);
          },
        );
    }
  };

  /** A connection of this node joined: every node learns it through the log. */
  addLocal(member: Member, identity: ResolvedIdentity, client: string | undefined): void {
    this.#locals.set(member.id, member);
    const scope = identity.scope;
    this.append({
      kind: 'join',
      conn: member.id,
      access: identity.access,
      scope,
      client,
    }).catch(() => member.close(CloseCode.UNAVAILABLE, 'Redis is unavailable'));
  }

  /** A connection of this node left. */
  removeLocal(member: Member): void {
    if (this.#locals.get(member.id) !== member) return;
    this.#locals.delete(member.id);
    this.#sendLeave(member.id);
  }

  #sendLeave(conn: string): void {
    this.append({ kind: 'leave', conn }).then(
      () => this.#unsentLeaves.delete(conn),
      () => this.#unsentLeaves.add(conn),
    );
  }

  /** Tries again what could not be appended while Redis was down. */
  retry(): void {
    for (const conn of this.#unsentLeaves) this.#sendLeave(conn);
  }

  /** A server-side write through the log: resolves once applied here (in the log's order). */
  async write(text: string, atomic: boolean): Promise<WriteOutcome> {
    const token = `${this.#deps.node}:${++this.#writeSeq}`;
    const outcome = new Promise<WriteOutcome>((resolve, reject) => {
      this.#writes.set(token, { resolve, reject });
    });
    // Applied (and maybe refused) before the append's reply arrives: awaited below.
    outcome.catch(() => {});
    try {
      await this.append({ kind: 'write', token, atomic, data: text });
    } catch (err) {
      this.#writes.delete(token);
      throw err;
    }
    return outcome;
  }

  /** Resolves when this copy holds revision `rev`, or after `timeoutMs`. */
  reach(rev: number, timeoutMs: number): Promise<void> {
    if (this.doc.rev >= rev || this.#stale) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiter = { rev, resolve: done };
      this.#revWaiters.push(waiter);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  #wakeRevWaiters(): void {
    if (this.#revWaiters.length === 0) return;
    const rev = this.doc.rev;
    const waiting = this.#revWaiters;
    this.#revWaiters = waiting.filter((waiter) => waiter.rev > rev);
    for (const waiter of waiting) if (waiter.rev <= rev) waiter.resolve();
  }

  /** The remote nodes with connections to this document. */
  remoteNodes(): Set<string> {
    const nodes = new Set<string>();
    for (const conn of this.#conns.keys()) {
      const node = nodeOfConn(conn);
      if (node !== this.#deps.node) nodes.add(node);
    }
    return nodes;
  }

  // --- snapshots ----------------------------------------------------------------------

  /** The whole state after the last entry applied (what a loading node starts from). */
  snapshot(epoch = this.doc.epoch): ReplicaSnapshot {
    const conns: SavedConn[] = [];
    for (const { saved, context, member } of this.#conns.values()) {
      conns.push({
        ...saved,
        previous: context.previous.slice(),
        presence: this.doc.presenceLine(member),
      });
    }
    return {
      ...this.doc.replicaState(),
      epoch,
      fingerprint: this.#deps.fingerprint,
      conns,
    };
  }

  #maybeSnapshot(): void {
    if (this.#snapshotting || !this.#snapshotDue()) return;
    this.#snapshotting = true;
    this.#storeSnapshot().then(
      () => {
        this.#snapshotting = false;
      },
      (err: unknown) => {
        this.#snapshotting = false;
        this.#deps.logger.warn('snapshot not stored', { doc: this.name, error: err });
      },
    );
  }

  /** Every `redisSnapshotEntries` entries, or `compactionBytes` of them: the log stays bounded. */
  #snapshotDue(): boolean {
    const { limits } = this.#deps;
    return (
      this.#seq - this.#snapshotSeq >= limits.redisSnapshotEntries ||
      this.#bytesSinceSnapshot >= limits.compactionBytes
    );
  }

  async #storeSnapshot(): Promise<void> {
    const { link, node, limits } = this.#deps;
    const stored = await link.loadSnapshotSeq(this.keys);
    if (stored !== undefined && stored > this.#snapshotSeq) {
      // Another node stored one: count from there (its bytes are not known here: from now).
      this.#snapshotSeq = stored;
      this.#bytesSinceSnapshot = 0;
    }
    if (!this.#snapshotDue()) return;
    // Another node may be storing one: try again a tenth of the interval later.
    this.#snapshotSeq += Math.ceil(limits.redisSnapshotEntries / 10);
    this.#bytesSinceSnapshot = Math.floor(this.#bytesSinceSnapshot * 0.9);
    if (!(await link.lease(this.keys.snapshotLease, node, 30_000))) return;
    const seq = this.#seq;
    const state = encodeReplicaSnapshot(this.snapshot());
    try {
      if (await link.saveSnapshot(this.keys, this.gen, seq, state)) {
        this.#snapshotSeq = seq;
        this.#bytesSinceSnapshot = 0;
        this.#deps.redisMetrics.snapshots.inc();
        this.#deps.logger.info('snapshot stored in redis', { doc: this.name, seq });
      }
    } finally {
      await link.release(this.keys.snapshotLease);
    }
  }

  // --- end ----------------------------------------------------------------------------

  #goStale(why: string): void {
    if (this.#stale) return;
    this.#stale = true;
    this.#deps.logger.warn('replica reloads', { doc: this.name, why });
    for (const waiter of this.#revWaiters) waiter.resolve();
    this.#revWaiters = [];
    this.#rejectWrites(why);
    this.#deps.onStale(this, why);
  }

  /** Marks the replica unusable (Redis lost the document, or it is being unloaded). */
  markStale(why: string): void {
    this.#goStale(why);
  }

  /** This node's connections to the document. */
  locals(): Member[] {
    return [...this.#locals.values()];
  }

  #rejectWrites(why: string): void {
    for (const pending of this.#writes.values()) {
      pending.reject(new ServerError('UNAVAILABLE', why));
    }
    this.#writes.clear();
  }

  async close(): Promise<void> {
    this.#rejectWrites(`${this.name} is closed`);
    for (const waiter of this.#revWaiters) waiter.resolve();
    this.#revWaiters = [];
    await this.doc.close();
  }
}

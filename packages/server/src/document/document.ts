import { CloseCode, formatMeta, PROTOCOL_VERSION } from '@varstream/client/protocol';
import {
  type PathContext,
  type Statement,
  StatementWriter,
  stringify,
  Tree,
} from '@varstream/varstream';
import { ServerError } from '../errors.js';
import { findUnsafeKey } from '../limits/unsafe-keys.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { ServerLimits } from '../options/defaults.js';
import type { DocumentStore } from '../storage/document-store.js';
import { type AppliedId, DedupTable } from './dedup.js';
import type { Member } from './member.js';
import { Outbox, type OutItem } from './outbox.js';
import { ResumeLog } from './resume-log.js';
import { makeRevision, type Revision } from './revision.js';
import { Transaction } from './transaction.js';

export interface DocumentConfig {
  readonly limits: Readonly<ServerLimits>;
  readonly unsafeKeys: ReadonlySet<string>;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /** Called for each revision once it is durable and delivered, in order. */
  readonly onRevision: (doc: Document, revision: Revision) => void;
  /** Called once when the journal cannot be written: the document is unusable. */
  readonly onFailed: (doc: Document, error: unknown) => void;
}

export interface DocumentState {
  /** The history's epoch (see epoch.ts). */
  readonly epoch: string;
  readonly root: unknown;
  readonly rev: number;
  /** The last revisions, oldest first (from the journal): the start of the resume log. */
  readonly revisions: readonly Revision[];
  readonly applied: readonly AppliedId[];
}

export interface JoinOptions {
  /** The revision the client holds (hello `rev`), to resume. */
  readonly resumeRev: number | undefined;
  /** The epoch of that revision (hello `epoch`), when the client knows it. */
  readonly resumeEpoch?: string | undefined;
  /** Extra fields of the welcome line (`access`, `scope`). */
  readonly fields: Record<string, string | number | undefined>;
}

type DocumentStatus = 'open' | 'closing' | 'closed' | 'failed';

/** Snapshot ids kept per client id in a snapshot file. */
const SNAPSHOT_IDS_PER_CLIENT = 64;
/** Shortest time between two exact measures of a document's size. */
const RECOUNT_MS = 1_000;
/** Wait before retrying a failed compaction. */
const COMPACTION_RETRY_MS = 10_000;

/**
 * One live document: its tree, the sequencer of its revisions, its members,
 * and the flush that batches what they are sent. Everything that changes the
 * tree goes through `begin()` / `commit()`, synchronously.
 *
 * Order of what a member receives: its welcome (snapshot or replay up to
 * revision W), then every revision after W in order, in batches (one frame
 * per flush), with replies (rejections, acks, pongs) after the revisions
 * accepted before them. With a store and `fsync: 'always'`, nothing is sent
 * before the revisions it contains or follows are fsynced.
 */
export class Document {
  readonly name: string;
  readonly epoch: string;
  readonly tree: Tree;
  readonly #config: DocumentConfig;
  readonly #store: DocumentStore | undefined;
  readonly #syncEach: boolean;
  readonly #log: ResumeLog;
  readonly #dedup: DedupTable;
  readonly #writer = new StatementWriter();
  #rev: number;
  #durableRev: number;
  #tx: Transaction | undefined;
  #size: number;
  #lastRecount = Number.NEGATIVE_INFINITY;
  /** Members that got their welcome, with the revision they hold. */
  readonly #members = new Map<Member, number>();
  /** Members whose welcome waits for its revision to be durable. */
  readonly #welcoming = new Map<Member, { rev: number; text: string }>();
  readonly #presence = new Map<Member, string>();
  #pendingPresence = new Map<Member, OutItem>();
  readonly #direct = new Map<Member, { rev: number; text: string }[]>();
  #pending: OutItem[] = [];
  #pendingRevisions: Revision[] = [];
  #scheduled = false;
  #writing = false;
  #compaction: Promise<void> | undefined;
  #compactRetryAt = 0;
  #snapshot: { rev: number; text: string } | undefined;
  #status: DocumentStatus = 'open';
  #idle: (() => void)[] = [];
  readonly #drains = new Map<Member, () => void>();

  constructor(
    name: string,
    state: DocumentState,
    config: DocumentConfig,
    store: DocumentStore | undefined,
  ) {
    this.name = name;
    this.epoch = state.epoch;
    this.#config = config;
    this.#store = store;
    this.#syncEach = store !== undefined && store.policy === 'always';
    const { limits } = config;
    this.tree = new Tree(state.root, {
      limits: {
        maxNodes: Number.POSITIVE_INFINITY,
        maxPathDepth: limits.maxPathDepth,
        maxArrayIndex: limits.maxArrayIndex,
        maxArrayGap: limits.maxArrayGap,
        maxStatementLength: limits.maxFrameBytes,
      },
    });
    this.#rev = state.rev;
    this.#durableRev = state.rev;
    this.#log = new ResumeLog(limits.resumeLogRevisions, limits.resumeLogBytes);
    for (const revision of state.revisions) this.#log.push(revision);
    this.#dedup = new DedupTable(limits.dedupClients, limits.dedupPerClient);
    for (const { id, rev } of state.applied) this.#dedup.record(id, rev);
    this.#size = Buffer.byteLength(this.snapshotText(), 'utf8');
  }

  /** The latest revision (accepted; maybe not yet durable). */
  get rev(): number {
    return this.#rev;
  }

  /** The latest revision that may be sent (fsynced, with `fsync: 'always'`). */
  get durableRev(): number {
    return this.#durableRev;
  }

  get members(): number {
    return this.#members.size + this.#welcoming.size;
  }

  get status(): DocumentStatus {
    return this.#status;
  }

  /** Estimated size of the document, in bytes of its snapshot. */
  get size(): number {
    return this.#size;
  }

  /** The document as VarStream text (what a snapshot holds), cached per revision. */
  snapshotText(): string {
    const cached = this.#snapshot;
    if (cached !== undefined && cached.rev === this.#rev) return cached.text;
    let text = stringify(this.tree.root);
    if (text.length > 0 && !text.endsWith('\n')) text += '\n';
    this.#snapshot = { rev: this.#rev, text };
    return text;
  }

  // --- members ----------------------------------------------------------------

  /**
   * Adds a member: it is sent its welcome (a replay from the resume log if it
   * resumes from a revision still there, else a snapshot) as soon as that
   * revision is durable, then every later revision.
   */
  join(member: Member, options: JoinOptions): 'snapshot' | 'replay' {
    this.#assertUsable();
    const rev = this.#rev;
    const sameHistory = options.resumeEpoch === undefined || options.resumeEpoch === this.epoch;
    const replay =
      options.resumeRev === undefined || !sameHistory
        ? undefined
        : this.#log.since(options.resumeRev, rev);
    let text = `${formatMeta('welcome', {
      v: PROTOCOL_VERSION,
      doc: this.name,
      conn: member.id,
      rev,
      epoch: this.epoch,
      ...options.fields,
    })}\n`;
    if (replay !== undefined) {
      text += `${formatMeta('replay', { from: options.resumeRev })}\n`;
      for (const revision of replay) text += revision.text;
      this.#config.metrics.replaysSent.inc();
    } else {
      text += `${formatMeta('snapshot', { rev })}\n${this.snapshotText()}`;
      this.#config.metrics.snapshotsSent.inc();
    }
    for (const [other, line] of this.#presence) if (other !== member) text += line;
    if (rev <= this.#durableRev) {
      this.#members.set(member, rev);
      member.sendWelcome(text);
    } else {
      this.#welcoming.set(member, { rev, text });
      this.#schedule();
    }
    return replay === undefined ? 'snapshot' : 'replay';
  }

  /** Removes a member; the others hear `#vs leave`. */
  leave(member: Member): void {
    const known = this.#members.delete(member) || this.#welcoming.delete(member);
    this.#direct.delete(member);
    this.#drains.get(member)?.();
    this.#drains.delete(member);
    this.#presence.delete(member);
    const pending = this.#pendingPresence.get(member);
    if (pending !== undefined) {
      pending.text = '';
      this.#pendingPresence.delete(member);
    }
    if (!known || this.#status !== 'open') return;
    this.#pending.push({
      text: `${formatMeta('leave', { conn: member.id })}\n`,
      rev: 0,
      author: member,
      skipAuthor: true,
    });
    this.#schedule();
  }

  /** The members (welcomed or waiting for their welcome). */
  *memberList(): IterableIterator<Member> {
    yield* this.#members.keys();
    yield* this.#welcoming.keys();
  }

  /** Queues a line for one member (a rejection, an ack, a pong), sent after what it follows. */
  reply(member: Member, line: string): void {
    if (this.#status !== 'open') return;
    let lines = this.#direct.get(member);
    if (lines === undefined) {
      lines = [];
      this.#direct.set(member, lines);
    }
    lines.push({ rev: this.#rev, text: `${line}\n` });
    this.#schedule();
  }

  /** Replaces a member's presence (no fields: cleared) and tells the others. */
  setPresence(member: Member, fields: Record<string, string>): void {
    if (this.#status !== 'open') return;
    const text = `${formatMeta('presence', { conn: member.id, ...fields })}\n`;
    if (Object.keys(fields).length === 0) this.#presence.delete(member);
    else this.#presence.set(member, text);
    const pending = this.#pendingPresence.get(member);
    if (pending !== undefined) {
      pending.text = text;
      return;
    }
    const item: OutItem = { text, rev: 0, author: member, skipAuthor: true };
    this.#pending.push(item);
    this.#pendingPresence.set(member, item);
    this.#schedule();
  }

  // --- changes ------------------------------------------------------------------

  /** The revision that applied change `id`, if it was applied (duplicate detection). */
  appliedRevision(id: string): number | undefined {
    return this.#dedup.lookup(id);
  }

  /** Starts a change. Apply statements to it, then `commit()` or `rollback()`, without awaiting in between. */
  begin(context: PathContext): Transaction {
    this.#assertUsable();
    if (this.#tx?.open === true) throw new Error(`A change is already open on ${this.name}`);
    const tx = new Transaction(this.tree, this.#writer, context);
    this.#tx = tx;
    return tx;
  }

  rollback(tx: Transaction): void {
    tx.end(false);
    if (this.#tx === tx) this.#tx = undefined;
  }

  /**
   * Makes the change a revision: it gets the next number, enters the resume
   * log and the next flush. Throws `DOC_TOO_LARGE` (and rolls back) when the
   * document would exceed `maxDocumentBytes`.
   */
  commit(tx: Transaction, author: Member | undefined, id: string | undefined): Revision {
    if (this.#tx !== tx || !tx.open) throw new Error('Not the open change of this document');
    const max = this.#config.limits.maxDocumentBytes;
    if (this.#size + tx.delta > max && !this.#fitsAfterRecount(tx.delta, max)) {
      this.rollback(tx);
      throw new ServerError(
        'DOC_TOO_LARGE',
        `The document would exceed ${max} bytes (maxDocumentBytes)`,
      );
    }
    tx.end(true);
    this.#tx = undefined;
    this.#size += tx.delta;
    const rev = ++this.#rev;
    const revision = makeRevision(rev, author?.id, id, tx.body);
    this.#log.push(revision);
    if (id !== undefined) this.#dedup.record(id, rev);
    this.#pending.push({
      text: revision.text,
      rev,
      author,
      skipAuthor: author !== undefined && !author.echo,
    });
    this.#pendingRevisions.push(revision);
    this.#config.metrics.changesAccepted.inc();
    this.#schedule();
    return revision;
  }

  /**
   * A server-side write (stdin, `VarStreamServer.write`), as one revision.
   * Atomic: the first error rolls everything back and is thrown. Otherwise
   * statements that fail are skipped and returned.
   */
  writeStatements(
    statements: Iterable<Statement>,
    context: PathContext,
    atomic: boolean,
  ): { revision: Revision | undefined; errors: Error[] } {
    const tx = this.begin(context);
    const errors: Error[] = [];
    const saved = context.previous.slice();
    const failed = (error: Error) => {
      if (!atomic) {
        errors.push(error);
        return;
      }
      this.rollback(tx);
      context.previous = saved;
      throw error;
    };
    for (const statement of statements) {
      const unsafe =
        findUnsafeKey(statement.path, this.#config.unsafeKeys) ??
        (statement.ref === undefined
          ? undefined
          : findUnsafeKey(statement.ref, this.#config.unsafeKeys));
      if (unsafe !== undefined) {
        failed(
          new ServerError('UNSAFE_KEY', `The key "${unsafe}" is not allowed`, {
            line: statement.line,
          }),
        );
        continue;
      }
      try {
        tx.apply(statement);
      } catch (err) {
        failed(err as Error);
      }
    }
    if (tx.count === 0) {
      this.rollback(tx);
      return { revision: undefined, errors };
    }
    try {
      return { revision: this.commit(tx, undefined, undefined), errors };
    } catch (err) {
      context.previous = saved;
      if (atomic) throw err;
      errors.push(err as Error);
      return { revision: undefined, errors };
    }
  }

  #fitsAfterRecount(delta: number, max: number): boolean {
    const now = performance.now();
    if (now - this.#lastRecount < RECOUNT_MS) return false;
    this.#lastRecount = now;
    const exact = Buffer.byteLength(stringify(this.tree.root), 'utf8');
    this.#size = exact - delta;
    return exact <= max;
  }

  #assertUsable(): void {
    if (this.#status === 'failed') {
      throw new ServerError('STORAGE_FAILED', `Document ${this.name} cannot be written to disk`);
    }
    if (this.#status !== 'open') throw new ServerError('CLOSED', `Document ${this.name} is closed`);
  }

  // --- flush --------------------------------------------------------------------

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#onImmediate);
  }

  readonly #onImmediate = (): void => {
    this.#scheduled = false;
    this.#flush();
  };

  #flush(): void {
    if (this.#writing || this.#status === 'failed' || this.#status === 'closed') return;
    const items = this.#pending;
    const revisions = this.#pendingRevisions;
    this.#pending = [];
    this.#pendingRevisions = [];
    this.#pendingPresence = new Map();
    const store = this.#store;
    if (store !== undefined && revisions.length > 0) {
      if (this.#syncEach) {
        this.#writing = true;
        store.append(revisions, true).then(
          () => {
            this.#writing = false;
            this.#delivered(revisions, items);
            if (this.#pending.length > 0 || this.#welcoming.size > 0) this.#flush();
            else this.#settle();
          },
          (err: unknown) => {
            this.#writing = false;
            this.#fail(err);
          },
        );
        return;
      }
      store.append(revisions, false).catch((err: unknown) => this.#fail(err));
    }
    this.#delivered(revisions, items);
    this.#settle();
  }

  #delivered(revisions: readonly Revision[], items: readonly OutItem[]): void {
    const last = revisions[revisions.length - 1];
    if (last !== undefined) this.#durableRev = last.rev;
    this.#deliver(items);
    if (revisions.length > 0) {
      for (const revision of revisions) this.#config.onRevision(this, revision);
    }
    this.#maybeCompact();
  }

  #deliver(items: readonly OutItem[]): void {
    const durable = this.#durableRev;
    for (const [member, welcome] of this.#welcoming) {
      if (welcome.rev > durable) continue;
      this.#welcoming.delete(member);
      this.#members.set(member, welcome.rev);
      member.sendWelcome(welcome.text);
    }
    const { metrics } = this.#config;
    if (items.length > 0) {
      const outbox = new Outbox(items);
      for (const [member, held] of this.#members) {
        const out = outbox.frameFor(member, held);
        if (outbox.lastRev > held) this.#members.set(member, outbox.lastRev);
        if (out === undefined) continue;
        metrics.counts.deliveries += out.revisions;
        member.send(out.frame);
      }
      if (outbox.built) metrics.counts.broadcastFrames++;
      if (outbox.revisions > 0) {
        metrics.flushes.inc();
        metrics.batchRevisions.observe(outbox.revisions);
      }
    }
    for (const [member, lines] of this.#direct) {
      let text = '';
      let sent = 0;
      while (sent < lines.length && lines[sent]!.rev <= durable) text += lines[sent++]!.text;
      if (sent === lines.length) this.#direct.delete(member);
      else lines.splice(0, sent);
      if (text !== '') member.send(text);
    }
    for (const [member, resolve] of this.#drains) {
      if (this.#direct.has(member)) continue;
      this.#drains.delete(member);
      resolve();
    }
  }

  /** Resolves once every line queued for `member` (replies) has been sent. */
  drained(member: Member): Promise<void> {
    if (!this.#direct.has(member)) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#drains.get(member);
      this.#drains.set(member, () => {
        previous?.();
        resolve();
      });
    });
  }

  #settle(): void {
    if (this.#writing || this.#pending.length > 0 || this.#scheduled) return;
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once everything accepted so far is written (per the fsync policy) and sent. */
  whenIdle(): Promise<void> {
    if (!this.#writing && this.#pending.length === 0 && !this.#scheduled) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  // --- compaction -----------------------------------------------------------------

  #maybeCompact(): void {
    const store = this.#store;
    if (store === undefined || this.#compaction !== undefined || this.#status !== 'open') return;
    if (store.journalBytes < this.#config.limits.compactionBytes) return;
    if (performance.now() < this.#compactRetryAt) return;
    this.#compaction = this.compact().finally(() => {
      this.#compaction = undefined;
    });
  }

  /** Writes a snapshot of the current revision and drops the journal up to it. */
  async compact(): Promise<void> {
    const store = this.#store;
    if (store === undefined) return;
    const { metrics, logger } = this.#config;
    const start = performance.now();
    const rev = this.#rev;
    const text = this.snapshotText();
    this.#size = Buffer.byteLength(text, 'utf8');
    try {
      await store.compact({
        doc: this.name,
        epoch: this.epoch,
        rev,
        text,
        applied: this.#dedup.recent(SNAPSHOT_IDS_PER_CLIENT),
      });
      metrics.compactions.inc({ result: 'ok' });
      metrics.compactionSeconds.observe((performance.now() - start) / 1000);
      logger.info('compacted', { doc: this.name, rev, bytes: this.#size });
    } catch (err) {
      this.#compactRetryAt = performance.now() + COMPACTION_RETRY_MS;
      metrics.compactions.inc({ result: 'error' });
      logger.error('compaction failed', { doc: this.name, error: err });
    }
  }

  /** Compaction before the document is used (after an interrupted one). */
  async compactIdle(): Promise<void> {
    await this.#store?.compactIdle({
      doc: this.name,
      epoch: this.epoch,
      rev: this.#rev,
      text: this.snapshotText(),
      applied: this.#dedup.recent(SNAPSHOT_IDS_PER_CLIENT),
    });
  }

  // --- end ------------------------------------------------------------------------

  #fail(error: unknown): void {
    if (this.#status === 'failed' || this.#status === 'closed') return;
    this.#status = 'failed';
    this.#pending = [];
    this.#pendingRevisions = [];
    this.#welcoming.clear();
    this.#direct.clear();
    this.#config.logger.error('journal write failed: document unloaded', {
      doc: this.name,
      error,
    });
    this.#store?.close().catch(() => {});
    for (const member of [...this.memberList()]) {
      member.close(CloseCode.INTERNAL_ERROR, 'The document cannot be saved');
    }
    this.#members.clear();
    this.#presence.clear();
    const waiters = this.#idle;
    this.#idle = [];
    for (const resolve of waiters) resolve();
    this.#config.onFailed(this, error);
  }

  /**
   * Stops accepting changes, sends and writes everything accepted, then
   * fsyncs and closes the store. Members are not closed here.
   */
  async close(): Promise<void> {
    if (this.#status === 'closed') return;
    if (this.#status === 'open') this.#status = 'closing';
    if (this.#status === 'closing') {
      if (!this.#writing) this.#flush();
      await this.whenIdle();
      await this.#compaction;
    }
    this.#status = 'closed';
    await this.#store?.close();
  }
}

import { CloseCode, formatMeta, Verb } from '@varstream/protocol';
import { type PathContext, StatementWriter, stringify, Tree } from '@varstream/varstream';
import { ServerError } from '../errors.js';
import { MeasureBudget } from '../limits/measure-budget.js';
import { treeDepth } from '../limits/tree-depth.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { codecLimits } from '../options/codec-limits.js';
import type { ServerLimits } from '../options/defaults.js';
import type { SnapshotContent } from '../snapshot/snapshot-file.js';
import type { DocumentStore } from '../storage/document-store.js';
import { ClientConnections } from './client-connections.js';
import { Compactor } from './compactor.js';
import { type AppliedId, DedupTable } from './dedup.js';
import type { Member } from './member.js';
import { Outbox, type OutItem } from './outbox.js';
import { PresenceBoard } from './presence-board.js';
import { ReplyQueues } from './replies.js';
import { ResumeLog } from './resume-log.js';
import { makeRevision, type Revision } from './revision.js';
import { type TextEvent, TextHistory } from './text-history.js';
import { Transaction } from './transaction.js';
import { replayFits, WelcomeSnapshots } from './welcome-snapshot.js';

export interface DocumentConfig {
  readonly limits: Readonly<ServerLimits>;
  readonly unsafeKeys: ReadonlySet<string>;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  /** Called for each revision once it is durable and delivered, in order. */
  readonly onRevision: (doc: HostedDocument, revision: Revision) => void;
  /** Called once when the journal cannot be written: the document is unusable. */
  readonly onFailed: (doc: HostedDocument, error: unknown) => void;
  /**
   * Decide only from the revisions applied, never from the clock (the size
   * recount runs every RECOUNT_REVISIONS revisions instead of every
   * the budget of measureBytesPerSecond): replicas applying one log decide alike (Redis mode).
   */
  readonly deterministic?: boolean;
}

export interface DocumentState {
  /** The history's epoch (see epoch.ts). */
  readonly epoch: string;
  readonly root: unknown;
  readonly rev: number;
  /** The last revisions, oldest first (from the journal): the start of the resume log. */
  readonly revisions: readonly Revision[];
  readonly applied: readonly AppliedId[];
  /** The size estimate (deterministic mode: as the other replicas hold it). Default: measured. */
  readonly size?: number;
  /** Deterministic mode: the revision of the last exact size measure. */
  readonly recountRev?: number;
  /** The text history as another replica holds it (default: empty, from `rev`). */
  readonly textHistory?: ReplicaDocumentState['textHistory'];
}

/** What a replica must save to be reloaded exactly as it is (see `HostedDocument.replicaState`). */
export interface ReplicaDocumentState {
  readonly rev: number;
  readonly text: string;
  readonly applied: readonly AppliedId[];
  readonly size: number;
  readonly recountRev: number;
  /** The text history (splices based on older revisions are transformed against it). */
  readonly textHistory: { readonly from: number; readonly events: readonly TextEvent[] };
}

export interface JoinOptions {
  /** The revision the client holds (hello `rev`), to resume. */
  readonly resumeRev: number | undefined;
  /** The epoch of that revision (hello `epoch`), when the client knows it. */
  readonly resumeEpoch?: string | undefined;
  /** The protocol version of the welcome (the hello's; the latest for plain clients). */
  readonly version: number;
  /** Extra fields of the welcome line (`access`, `scope`). */
  readonly fields: Record<string, string | number | undefined>;
  /** The client id the hello named (see `ClientConnections`). */
  readonly client?: string | undefined;
}

type DocumentStatus = 'open' | 'closing' | 'closed' | 'failed';

/** Snapshot ids kept per client id in a snapshot file. */
const SNAPSHOT_IDS_PER_CLIENT = 64;
/** Deterministic mode: fewest revisions between two exact measures of a document's size. */
const RECOUNT_REVISIONS = 1_000;
/**
 * Flush pacing. A flush whose delivery took at least PACE_MIN_MS (hundreds
 * of members: one write per member) makes the next one wait as long, at most
 * PACE_MAX_MS: delivering then takes at most about half of the time, and the
 * next frame gathers the changes of several event-loop turns instead of
 * costing one write per member for every turn. Cheaper flushes follow each
 * turn, as before. (Measured by `pnpm bench:sync`: at 500 clients, a third
 * to a half less CPU for the same latency.)
 */
const PACE_MIN_MS = 2;
const PACE_MAX_MS = 16;

/**
 * One live document: its tree, the sequencer of its revisions, its members,
 * and the flush that batches what they are sent. Everything that changes the
 * tree goes through `begin()` / `commit()`, synchronously, called by the
 * `Change` that decides whether it applies (change/change.ts).
 *
 * Order of what a member receives: its welcome (snapshot or replay up to
 * revision W), then every revision after W in order, in batches (one frame
 * per flush), with replies (rejections, acks, pongs) after the revisions
 * accepted before them. With a store and `fsync: 'always'`, nothing is sent
 * before the revisions it contains or follows are fsynced.
 */
export class HostedDocument {
  readonly name: string;
  readonly epoch: string;
  readonly tree: Tree;
  readonly #config: DocumentConfig;
  readonly #store: DocumentStore | undefined;
  readonly #syncEach: boolean;
  readonly #log: ResumeLog;
  /**
   * The revision the document was loaded at: the revisions up to it came
   * from the journal, which writes splices into short strings as their
   * value (`t=B`). Replayed to a splice member, that `=` reads as a
   * replacement and voids its pending splices on the string (what it typed
   * offline was lost): a splice member resuming from before it gets a
   * snapshot, on which its pending splices are re-applied and sent again.
   */
  readonly #spliceReplayFrom: number;
  readonly #dedup: DedupTable;
  readonly #textHistory: TextHistory;
  readonly #writer = new StatementWriter();
  #rev: number;
  #durableRev: number;
  #tx: Transaction | undefined;
  #size: number;
  /** Pays for exact measures of the whole document (`measureBytesPerSecond`; not in deterministic mode). */
  readonly #measures: MeasureBudget;
  /**
   * Pays for compressing welcomes (a copy per client that offered
   * permessage-deflate, O(its size) each, even with nothing changed): half
   * their bytes from a budget of `measureBytesPerSecond`; beyond, a welcome
   * goes uncompressed (its snapshot shared). A join storm on a 7 MB document
   * deflated 7 MB per join.
   */
  readonly #compressions: MeasureBudget;
  readonly #compressible = (bytes: number): boolean =>
    this.#compressions.take(Math.ceil(bytes / 2));
  /** A bound on the depth of every value of the tree (see `Transaction.depthBound`). */
  #depthBound: number;
  #lastRecountRev = Number.NEGATIVE_INFINITY;
  /** Members that got their welcome, with the revision they hold. */
  readonly #members = new Map<Member, number>();
  /** Members whose welcome waits for its revision to be durable. */
  readonly #welcoming = new Map<Member, { rev: number; parts: (Buffer | string)[] }>();
  /** Writers connected to other replicas (Redis mode): their presence and leave reach the members. */
  readonly #remotes = new Set<Member>();
  /** This server's connections to the document, by client id. */
  readonly #clients = new ClientConnections();
  readonly #presence = new PresenceBoard();
  readonly #replies = new ReplyQueues();
  #pending: OutItem[] = [];
  #pendingRevisions: Revision[] = [];
  #scheduled = false;
  /** The paced flush's timer (see PACE_MIN_MS). */
  #flushTimer: NodeJS.Timeout | undefined;
  /** `performance.now()` before which a flush waits (paced). */
  #nextFlushAt = 0;
  #writing = false;
  readonly #compactor: Compactor | undefined;
  #snapshot: { rev: number; text: string } | undefined;
  /** The `#vs snapshot` line and the snapshot, as sent in welcomes: one Buffer shared by every client welcomed with it. */
  readonly #welcomeSnapshots = new WelcomeSnapshots(() =>
    Buffer.from(`${formatMeta(Verb.SNAPSHOT, { rev: this.#rev })}\n${this.snapshotText()}`, 'utf8'),
  );
  #status: DocumentStatus = 'open';
  #idle: (() => void)[] = [];

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
    this.#compactor =
      store === undefined
        ? undefined
        : new Compactor(store, {
            doc: name,
            compactionBytes: config.limits.compactionBytes,
            metrics: config.metrics,
            logger: config.logger,
          });
    const { limits } = config;
    this.tree = new Tree(state.root, {
      boundedRollback: true,
      limits: codecLimits(limits),
    });
    this.#rev = state.rev;
    this.#durableRev = state.rev;
    this.#log = new ResumeLog(limits.resumeLogRevisions, limits.resumeLogBytes);
    for (const revision of state.revisions) this.#log.push(revision);
    this.#spliceReplayFrom = state.revisions.length > 0 ? state.rev : 0;
    this.#dedup = new DedupTable(limits.dedupClients, limits.dedupPerClient);
    this.#textHistory = new TextHistory(limits.maxTextHistory, state.rev);
    if (state.textHistory !== undefined) {
      this.#textHistory.restore(state.textHistory.from, state.textHistory.events);
    }
    for (const { id, rev, owner } of state.applied) this.#dedup.record(id, rev, owner);
    this.#size = state.size ?? Buffer.byteLength(this.snapshotText(), 'utf8');
    // Saved as -1 when never measured (see replicaState).
    const recountRev = state.recountRev ?? -1;
    this.#lastRecountRev = recountRev < 0 ? Number.NEGATIVE_INFINITY : recountRev;
    this.#depthBound = treeDepth(state.root);
    this.#measures = new MeasureBudget(limits.measureBytesPerSecond, limits.maxDocumentBytes);
    this.#compressions = new MeasureBudget(limits.measureBytesPerSecond, limits.maxDocumentBytes);
  }

  /** Every revision after this one is in the text history (a splice based on an older one is stale). */
  get textHistoryFrom(): number {
    return this.#textHistory.from;
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
    const root = this.tree.root;
    // `stringify` writes nothing for an empty object, which reads back as an
    // empty tree: say `{}` so every replica holds the same root.
    let text = isEmptyObject(root) ? '^0={}\n' : stringify(root);
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
    if (options.client !== undefined) this.#clients.add(options.client, member.id);
    const rev = this.#rev;
    const sameHistory = options.resumeEpoch === undefined || options.resumeEpoch === this.epoch;
    const missed =
      options.resumeRev === undefined ||
      !sameHistory ||
      (member.splices && options.resumeRev < this.#spliceReplayFrom)
        ? undefined
        : this.#log.since(options.resumeRev, rev);
    const replay = missed !== undefined && replayFits(missed, this.#size) ? missed : undefined;
    // The welcome is sent as one message in fragments: the snapshot part is
    // shared by every client welcomed at this revision, not copied per client.
    const parts: (Buffer | string)[] = [];
    let text = `${formatMeta(Verb.WELCOME, {
      v: options.version,
      doc: this.name,
      conn: member.id,
      rev,
      epoch: this.epoch,
      ...options.fields,
    })}\n`;
    if (replay !== undefined) {
      text += `${formatMeta(Verb.REPLAY, { from: options.resumeRev })}\n`;
      parts.push(text + sectionsText(replay, member.splices));
      this.#config.metrics.replaysSent.inc();
    } else {
      // Maybe a snapshot of an earlier revision, then the revisions since (welcome-snapshot.ts).
      const snapshot = this.#welcomeSnapshots.at(rev, this.#log);
      parts.push(text, snapshot.data);
      if (snapshot.since.length > 0) parts.push(sectionsText(snapshot.since, member.splices));
      this.#config.metrics.snapshotsSent.inc();
    }
    // Presence lines are added when the welcome is sent: they are the latest then.
    if (rev <= this.#durableRev) {
      this.#members.set(member, rev);
      member.sendWelcome([...parts, this.#presence.linesFor(member)], this.#compressible);
    } else {
      this.#welcoming.set(member, { rev, parts });
      this.#schedule();
    }
    return replay === undefined ? 'snapshot' : 'replay';
  }

  /**
   * True when client `client` has a connection to this document here other
   * than `conn`: the compact heads of `conn`'s changes then say their ids
   * (`ImpliedIds`).
   */
  hasOtherConnection(client: string, conn: string): boolean {
    return this.#clients.hasOther(client, conn);
  }

  /** A writer connected to another replica: its presence and its leave are told to the members. */
  joinRemote(member: Member): void {
    this.#remotes.add(member);
  }

  /** Removes a member; the others hear `#vs leave`. */
  leave(member: Member): void {
    const known =
      this.#members.delete(member) ||
      this.#welcoming.delete(member) ||
      this.#remotes.delete(member);
    this.#clients.remove(member.id);
    this.#replies.drop(member);
    this.#presence.remove(member);
    if (!known || this.#status !== 'open') return;
    this.#pending.push({
      text: `${formatMeta(Verb.LEAVE, { conn: member.id })}\n`,
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
    this.#replies.push(member, this.#rev, line);
    this.#schedule();
  }

  /** Resolves once every reply queued for `member` has been sent. */
  drained(member: Member): Promise<void> {
    return this.#replies.drained(member);
  }

  /** Replaces a member's presence (no fields: cleared) and tells the others. */
  setPresence(member: Member, fields: Record<string, string>): void {
    if (this.#status !== 'open') return;
    const item = this.#presence.set(member, fields);
    if (item === undefined) return; // merged into the update already queued
    this.#pending.push(item);
    this.#schedule();
  }

  // --- changes ------------------------------------------------------------------

  /** The revision that applied change `id`, if it was applied (duplicate detection). */
  appliedRevision(id: string, owner = ''): number | undefined {
    return this.#dedup.lookup(id, owner);
  }

  /**
   * Starts a change's transaction (for the `Change` that owns it,
   * change/change.ts). Apply statements to it, then `commit()` or `rollback()`,
   * without awaiting in between. `base`: the revision its text splices were
   * written against (they are transformed against the later ones);
   * `author`: the client of its change id (its own splices are not).
   */
  begin(context: PathContext, base?: number, author?: string): Transaction {
    this.#assertUsable();
    if (this.#tx?.open === true) throw new Error(`A change is already open on ${this.name}`);
    const tx = new Transaction(
      this.tree,
      this.#writer,
      context,
      this.#textHistory,
      base,
      {
        bound: this.#depthBound,
        maxPathDepth: this.#config.limits.maxPathDepth,
        maxSpliceParts: this.#config.limits.maxSpliceParts,
        // Deterministic mode: a budget based on time would make replicas decide differently.
        budget: this.#config.deterministic === true ? undefined : this.#measures,
      },
      author,
    );
    this.#tx = tx;
    return tx;
  }

  rollback(tx: Transaction): void {
    tx.end(false);
    if (this.#tx === tx) this.#tx = undefined;
  }

  /**
   * Makes the change a revision: it gets the next number, enters the resume
   * log and the next flush. `live.id` is the `id` field of its compact section
   * head (undefined: implied or none; see `@varstream/protocol`
   * sections); the full head, for the journal and replays, has `id`. Throws
   * (and rolls back) `DOC_TOO_LARGE` when the document would exceed
   * `maxDocumentBytes`, `TREE_TOO_DEEP` when `&=` would make it deeper than
   * `maxTreeDepth` allows, `BUSY` when that needs an exact measure that
   * `measureBytesPerSecond` cannot pay for now.
   */
  commit(
    tx: Transaction,
    author: Member | undefined,
    id: string | undefined,
    live: { readonly id: string | undefined } = { id },
    owner = '',
  ): Revision {
    if (this.#tx !== tx || !tx.open) throw new Error('Not the open change of this document');
    const max = this.#config.limits.maxDocumentBytes;
    const depth = this.#checkDepth(tx);
    if (this.#size + tx.delta > max && !this.#fitsAfterRecount(tx.delta, max)) {
      this.rollback(tx);
      throw new ServerError(
        'DOC_TOO_LARGE',
        `The document would exceed ${max} bytes (maxDocumentBytes)`,
      );
    }
    tx.end(true);
    this.#tx = undefined;
    this.#depthBound = depth;
    this.#size += tx.delta;
    // Which containers `&=` ever shared is not part of the log: replicas could
    // disagree on what a removal frees. Deterministic mode counts none.
    if (this.#config.deterministic !== true)
      this.#size = Math.max(0, this.#size - tx.removedBytes());
    const rev = ++this.#rev;
    const revision = makeRevision(
      rev,
      author?.id,
      id,
      tx.hasSplices
        ? { text: () => tx.plainBody, length: tx.plainLength, journal: () => tx.journalBody }
        : tx.plainBody,
      tx.hasSplices ? tx.body : undefined,
      live,
      owner,
    );
    const client = id === undefined ? undefined : id.slice(0, id.indexOf(':'));
    for (const event of tx.events) {
      const { path, op, written, writtenBase } = event;
      this.#textHistory.record({ rev, path, op, author: client, written, writtenBase });
    }
    this.#log.push(revision);
    if (id !== undefined) this.#dedup.record(id, rev, owner);
    // Every member receives it, its author included (the author's
    // acknowledgement; a plain client then holds the server's tree).
    // Getters: the plain form of a change with splices is written only if somebody reads it.
    this.#pending.push({
      get text() {
        return revision.text;
      },
      spliceText: revision.spliceText,
      live: {
        heads: revision.live,
        get body() {
          return revision.body;
        },
        spliceBody: revision.spliceBody,
      },
      rev,
      author,
      skipAuthor: false,
    });
    this.#pendingRevisions.push(revision);
    this.#config.metrics.changesAccepted.inc();
    this.#schedule();
    return revision;
  }

  /**
   * What the tree will store must stay readable: no path deeper than
   * `maxTreeDepth`, even after any later statement writes `maxPathDepth`
   * below what exists. Returns the new depth bound; throws (rolled back)
   * when the tree would be too deep or cannot be measured now. Whether it
   * accepts depends on the tree only (a bound that passes implies an exact
   * measure that passes), except for `BUSY`, never answered in deterministic
   * mode (there every measure the bound asks for runs).
   */
  #checkDepth(tx: Transaction): number {
    const { maxTreeDepth, maxPathDepth } = this.#config.limits;
    if (tx.depthBound + maxPathDepth <= maxTreeDepth) return tx.depthBound;
    if (this.#config.deterministic !== true && !this.#measures.take(this.#size)) {
      this.rollback(tx);
      throw new ServerError(
        'BUSY',
        'This change needs a measure of the document that the server cannot afford now (measureBytesPerSecond): send it again later',
      );
    }
    const depth = treeDepth(this.tree.root);
    if (depth + maxPathDepth > maxTreeDepth) {
      this.rollback(tx);
      throw new ServerError(
        'TREE_TOO_DEEP',
        `The document would hold paths of ${depth} segments; at most ${maxTreeDepth - maxPathDepth} (maxTreeDepth less maxPathDepth) leave room for any statement below them`,
      );
    }
    return depth;
  }

  #fitsAfterRecount(delta: number, max: number): boolean {
    if (this.#config.deterministic === true) {
      if (this.#rev - this.#lastRecountRev < RECOUNT_REVISIONS) return false;
      this.#lastRecountRev = this.#rev;
    } else if (!this.#measures.take(this.#size)) {
      return false;
    }
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
    const wait = this.#nextFlushAt - performance.now();
    if (wait > 0) this.#flushTimer = setTimeout(this.#onScheduled, wait);
    else setImmediate(this.#onScheduled);
  }

  readonly #onScheduled = (): void => {
    this.#scheduled = false;
    this.#flushTimer = undefined;
    this.#flush();
  };

  /** Flushes now rather than when the paced flush's timer fires. */
  #unpace(): void {
    if (this.#flushTimer === undefined) return;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#scheduled = false;
  }

  #flush(): void {
    if (this.#writing || this.#status === 'failed' || this.#status === 'closed') return;
    const items = this.#pending;
    const revisions = this.#pendingRevisions;
    this.#pending = [];
    this.#pendingRevisions = [];
    this.#presence.flushed();
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
    const started = performance.now();
    const durable = this.#durableRev;
    for (const [member, welcome] of this.#welcoming) {
      if (welcome.rev > durable) continue;
      this.#welcoming.delete(member);
      this.#members.set(member, welcome.rev);
      member.sendWelcome([...welcome.parts, this.#presence.linesFor(member)], this.#compressible);
    }
    const { metrics } = this.#config;
    if (items.length > 0) {
      const outbox = new Outbox(items);
      for (const [member, held] of this.#members) {
        const out = outbox.frameFor(member, held);
        if (outbox.lastRev > held) this.#members.set(member, outbox.lastRev);
        if (out === undefined) continue;
        metrics.counts.deliveries += out.revisions;
        if (typeof out.frame === 'string') metrics.counts.memberFrames++;
        member.send(out.frame);
      }
      metrics.counts.broadcastFrames += outbox.built;
      if (outbox.revisions > 0) {
        metrics.flushes.inc();
        metrics.batchRevisions.observe(outbox.revisions);
      }
    }
    this.#replies.deliver(durable);
    const ended = performance.now();
    const spent = ended - started;
    this.#nextFlushAt = spent >= PACE_MIN_MS ? ended + Math.min(spent, PACE_MAX_MS) : 0;
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
    if (this.#status !== 'open') return;
    this.#compactor?.maybe(() => this.#snapshotContent());
  }

  /** Writes a snapshot of the current revision and drops the journal up to it. */
  async compact(): Promise<void> {
    await this.#compactor?.run(this.#snapshotContent());
  }

  /** Compaction before the document is used (after an interrupted one). */
  async compactIdle(): Promise<void> {
    await this.#store?.compactIdle(this.#snapshotContent());
  }

  #snapshotContent(): SnapshotContent {
    const text = this.snapshotText();
    this.#size = Buffer.byteLength(text, 'utf8'); // an exact measure, while we have the text
    return {
      doc: this.name,
      epoch: this.epoch,
      rev: this.#rev,
      text,
      applied: this.#dedup.recent(SNAPSHOT_IDS_PER_CLIENT),
    };
  }

  /**
   * Everything another replica needs to continue exactly from this revision
   * (deterministic mode): the tree, every remembered change id in the order
   * that decides which is forgotten first, the size estimate.
   */
  replicaState(): ReplicaDocumentState {
    return {
      rev: this.#rev,
      text: this.snapshotText(),
      applied: this.#dedup.recent(this.#config.limits.dedupPerClient),
      size: this.#size,
      recountRev: Number.isFinite(this.#lastRecountRev) ? this.#lastRecountRev : -1,
      textHistory: { from: this.#textHistory.from, events: this.#textHistory.events() },
    };
  }

  /** A member's current presence line (to save with a replica's state). */
  presenceLine(member: Member): string | undefined {
    return this.#presence.lineOf(member);
  }

  /** Puts back a presence line saved by `presenceLine` (a replica being loaded). */
  restorePresence(member: Member, line: string): void {
    this.#presence.restore(member, line);
  }

  // --- end ------------------------------------------------------------------------

  #fail(error: unknown): void {
    if (this.#status === 'failed' || this.#status === 'closed') return;
    this.#status = 'failed';
    this.#unpace();
    this.#pending = [];
    this.#pendingRevisions = [];
    this.#welcoming.clear();
    this.#replies.clear();
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
      this.#unpace();
      if (!this.#writing) this.#flush();
      await this.whenIdle();
      await this.#compactor?.running;
    }
    this.#status = 'closed';
    await this.#store?.close();
  }
}

function isEmptyObject(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/** Change sections in full (as in replays), in the form the member reads (`~=` kept for the splice extension). */
function sectionsText(revisions: readonly Revision[], splices: boolean): string {
  let text = '';
  for (const revision of revisions) {
    text += splices ? (revision.spliceText ?? revision.text) : revision.text;
  }
  return text;
}

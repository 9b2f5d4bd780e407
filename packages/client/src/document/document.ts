import {
  closeCodeName,
  EXT_SPLICE,
  formatMeta,
  PROTOCOL_VERSION,
  SectionReader,
  SPLICE_STALE,
  Verb,
} from '@varstream/protocol';
import {
  APPEND,
  EMPTY_ARRAY,
  LAST,
  type Operator,
  opToSplices,
  type Path,
  RESET,
  type Splice,
  type Statement,
  type TextOp,
} from '@varstream/varstream';
import { opStatement, setStatements, spliceStatement } from '../changes/build.js';
import { changeBody, changeFrame, hasSplices } from '../changes/change-frame.js';
import { parseChange } from '../changes/parse-change.js';
import { utf8Length } from '../changes/utf8-length.js';
import { Connection } from '../connection/connection.js';
import { documentUrl } from '../connection/document-url.js';
import type { WebSocketConstructor } from '../connection/websocket.js';
import { clientDefaults } from '../defaults.js';
import { Emitter } from '../emitter.js';
import { ClientError, toClientError } from '../errors.js';
import { type PathInput, toPath } from '../paths/path-input.js';
import type { DocPath, DocValue } from '../paths/schema.js';
import type { PendingChange } from '../pending/pending-change.js';
import { PendingStore } from '../pending/pending-store.js';
import {
  type PresenceInput,
  PresenceMap,
  type PresenceState,
  presenceLine,
} from '../presence/presence.js';
import { browserStorage } from '../storage/local-storage.js';
import { storageKey } from '../storage/persisted-state.js';
import { type Listener, Subscriptions } from '../subscriptions/subscriptions.js';
import { interpretFrame } from '../sync/interpret.js';
import { parseServerFrame } from '../sync/server-frame.js';
import { Replica } from '../view/replica.js';
import type { ConnectOptions, DocumentEvents, Status, VarStreamDocument } from './types.js';
import { Waiters } from './waiters.js';

/** The events `on` accepts (the keys of `DocumentEvents`). */
const documentEvents: Readonly<Record<keyof DocumentEvents, true>> = {
  status: true,
  pending: true,
  reject: true,
  error: true,
  presence: true,
  text: true,
};

function badListener(method: string): ClientError {
  return new ClientError('BAD_ARGUMENT', `${method}() needs a listener function`);
}

/**
 * The document handle: the replica (confirmed tree, pending queue, view),
 * the connection, subscriptions and presence, tied together: the
 * `VarStreamDocument` that `connect` returns (types.ts documents the API).
 */
export class Document<S = unknown> implements VarStreamDocument<S> {
  readonly url: string;
  readonly #replica = new Replica();
  readonly #events = new Emitter<DocumentEvents>();
  readonly #subs = new Subscriptions((err) => this.#error(toClientError(err, 'SUBSCRIBER')));
  readonly #peers = new PresenceMap();
  readonly #store: PendingStore;
  readonly #connection: Connection;
  readonly #token: string | undefined;
  #status: Status = 'connecting';
  #conn: string | undefined;
  /** The epoch (history) of the revision the replica holds, from the last welcome. */
  #epoch: string | undefined;
  #access: string | undefined;
  /** The server speaks text splices (its last welcome said `ext=splice`). */
  #splices = false;
  readonly #maxChangeBytes: number;
  #presence: PresenceInput | null;
  #peersSnapshot: ReadonlyMap<string, PresenceState> = new Map();
  /** Reconnections in a row because the server could not store a change (`UNAVAILABLE`). */
  #unavailable = 0;
  readonly #waiters = new Waiters();
  /** Fills in the revisions and ids that compact section heads leave out. */
  readonly #sections: SectionReader;

  constructor(url: string, options: ConnectOptions = {}) {
    this.url = documentUrl(url);
    const WebSocket =
      options.WebSocket ??
      (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ??
      undefined;
    if (typeof WebSocket !== 'function') {
      throw new ClientError(
        'NO_WEBSOCKET',
        'No WebSocket constructor: pass options.WebSocket (in Node 20, the one from "ws")',
      );
    }
    this.#token = options.token;
    this.#presence = options.presence ?? null;
    this.#store = new PendingStore(
      options.storage ?? browserStorage(),
      options.storageKey ?? storageKey(url),
      options.clientId,
    );
    this.#sections = new SectionReader(this.#store.clientId);
    const restored = this.#store.takeRestored();
    if (restored.length > 0) this.#replica.restore(restored);
    this.#maxChangeBytes = options.maxChangeBytes ?? clientDefaults.maxChangeBytes;
    const heartbeatMs = options.heartbeatMs ?? clientDefaults.heartbeatMs;
    this.#connection = new Connection(
      url,
      {
        WebSocket,
        heartbeatMs,
        timeoutMs: options.timeoutMs ?? 2 * heartbeatMs + clientDefaults.timeoutGraceMs,
        probeTimeoutMs: options.probeTimeoutMs ?? clientDefaults.probeTimeoutMs,
        backoff: options.backoff,
      },
      {
        open: () => this.#sendHello(),
        frame: (text) => this.#onFrame(text),
        down: (code, reason, retry) => this.#onDown(code, reason, retry),
      },
    );
    this.#connection.start();
  }

  // --- state ---------------------------------------------------------------

  get clientId(): string {
    return this.#store.clientId;
  }
  get status(): Status {
    return this.#status;
  }
  get pending(): number {
    return this.#replica.pending.length;
  }
  get rev(): number {
    return this.#replica.rev;
  }
  get conn(): string | undefined {
    return this.#conn;
  }
  get access(): string | undefined {
    return this.#access;
  }
  get splices(): boolean {
    return this.#splices;
  }
  get presence(): ReadonlyMap<string, PresenceState> {
    return this.#peersSnapshot;
  }
  get localPresence(): PresenceInput | null {
    return this.#presence;
  }

  get<P extends DocPath<S>>(path: P): DocValue<S, P> | undefined;
  get(path: Path): unknown;
  get(path: PathInput): unknown {
    return this.#replica.tree.get(toPath(path)); // the root for []
  }

  // --- local changes ---------------------------------------------------------

  set(path: PathInput, value: unknown): string {
    return this.#change(setStatements(toPath(path), value));
  }

  delete(path: PathInput): string {
    return this.#change([opStatement('=', toPath(path), undefined)]);
  }

  apply(op: Operator, path: PathInput, value: unknown): string {
    if (op === '=') return this.set(path, value);
    const ref = op === '&=' ? toPath(value as PathInput) : value;
    return this.#change([opStatement(op, toPath(path), ref)]);
  }

  push(path: PathInput, value: unknown): string {
    return this.#change(setStatements([...toPath(path), APPEND], value));
  }

  setLast(path: PathInput, value: unknown): string {
    return this.#change(setStatements([...toPath(path), LAST], value));
  }

  reset(path: PathInput, first?: unknown): string {
    const p = toPath(path);
    if (first === undefined)
      return this.#change([{ op: '=', path: p, value: EMPTY_ARRAY, line: 0 }]);
    return this.#change(setStatements([...p, RESET], first));
  }

  applyText(text: string): string {
    return this.#change(parseChange(text));
  }

  splice(path: PathInput, at: number, deleteCount: number, text = ''): string {
    return this.#spliceChange(path, [{ at, del: deleteCount, text }]);
  }

  editText(path: PathInput, op: TextOp): string {
    const splices = opToSplices(op);
    if (splices.length === 0)
      throw new ClientError('EMPTY_CHANGE', 'The text operation changes nothing');
    return this.#spliceChange(path, splices);
  }

  /** One change of `~=` statements on one path. */
  #spliceChange(path: PathInput, splices: readonly Splice[]): string {
    const p = toPath(path);
    return this.#change(splices.map((s) => spliceStatement(p, s.at, s.del, s.text)));
  }

  /** Applies a local change to the view, queues it, sends it when connected. Returns its id. */
  #change(statements: Statement[]): string {
    if (this.#status === 'closed') throw new ClientError('CLOSED', 'The document is closed');
    if (statements.length === 0)
      throw new ClientError('EMPTY_CHANGE', 'A change needs a statement');
    if (this.#access === 'read') {
      throw new ClientError('FORBIDDEN', 'This connection may only read the document');
    }
    const bytes = utf8Length(changeBody(statements));
    if (bytes > this.#maxChangeBytes) {
      throw new ClientError(
        'FRAME_TOO_LARGE',
        `A change of ${bytes} bytes, more than ${this.#maxChangeBytes} (maxChangeBytes)`,
      );
    }
    let change: PendingChange | undefined;
    try {
      change = this.#replica.extendLast(statements, this.#maxChangeBytes);
      if (change === undefined) {
        change = this.#store.create(
          statements,
          changeBody(statements),
          this.#replica.rev,
          this.#epoch,
        );
        this.#replica.addLocal(change);
      }
    } catch (err) {
      throw toClientError(err);
    }
    this.#persist();
    this.#sendPending();
    this.#events.emit('pending', this.pending);
    this.#subs.notify(change.touched, this.#replica.root);
    return change.id;
  }

  /**
   * Sends the pending changes not sent yet on this connection, in order. A
   * change with text splices waits until every earlier change is
   * acknowledged (its `base` must hold them, PROTOCOL.md 3.6), and the ones
   * after it wait with it; meanwhile new splices on the same string merge
   * into it (`Replica.extendLast`).
   */
  #sendPending(): void {
    if (this.#status !== 'open') return;
    const pending = this.#replica.pending;
    for (let i = 0; i < pending.length; i++) {
      const change = pending[i]!;
      if (change.sent) continue;
      const splices = hasSplices(change.statements);
      if (splices && i > 0) return;
      change.sent = true;
      change.outgone = true;
      this.#connection.send(
        changeFrame(change.id, this.clientId, change.body, splices ? change.base : undefined),
      );
    }
  }

  // --- subscriptions, events, presence -------------------------------------

  subscribe<P extends DocPath<S>>(
    path: P,
    listener: (value: DocValue<S, P> | undefined, path: string) => void,
  ): () => void;
  subscribe(pattern: string | Path, listener: Listener): () => void;
  subscribe(pattern: PathInput, listener: (value: never, path: string) => void): () => void {
    // A schema's listener takes the values the schema says the path holds: the
    // document calls it with what it holds there (the schema is the caller's word).
    if (typeof listener !== 'function') throw badListener('subscribe');
    return this.#subs.add(toPath(pattern), listener as Listener, this.#replica.root);
  }

  on<K extends keyof DocumentEvents>(event: K, listener: DocumentEvents[K]): () => void {
    if (!Object.hasOwn(documentEvents, event)) {
      throw new ClientError('BAD_ARGUMENT', `No such event: ${String(event)}`);
    }
    if (typeof listener !== 'function') throw badListener('on');
    return this.#events.on(event, listener);
  }

  setPresence(state: PresenceInput | null): void {
    if (this.#status === 'closed') throw new ClientError('CLOSED', 'The document is closed');
    const line = presenceLine(state ?? {});
    this.#presence = state;
    if (this.#status === 'open') this.#connection.send(line);
  }

  whenSynced(): Promise<void> {
    if (this.#status === 'closed') {
      return Promise.reject(new ClientError('CLOSED', 'The document is closed'));
    }
    if (this.#synced()) return Promise.resolve();
    return this.#waiters.wait();
  }

  reconnect(): boolean {
    return this.#connection.retryNow();
  }

  checkConnection(): boolean {
    return this.#connection.probe();
  }

  close(): void {
    if (this.#status === 'closed') return;
    this.#connection.close();
    this.#setStatus('closed');
    this.#failWaiters(new ClientError('CLOSED', 'The document was closed'));
    this.#subs.clear();
  }

  // --- connection ------------------------------------------------------------

  #sendHello(): void {
    const rev = this.#replica.rev;
    this.#connection.send(
      formatMeta(Verb.HELLO, {
        v: PROTOCOL_VERSION,
        client: this.clientId,
        rev: rev >= 0 ? rev : undefined,
        // Without it, a server that lost its history would replay its new
        // revisions after `rev` onto a tree they have nothing to do with.
        epoch: rev >= 0 ? this.#epoch : undefined,
        token: this.#token,
        ext: EXT_SPLICE,
      }),
    );
  }

  #onDown(code: number, reason: string, retry: boolean): void {
    this.#conn = undefined;
    if (this.#peers.clear()) this.#presenceChanged();
    if (retry) {
      if (this.#status !== 'closed') this.#setStatus('offline');
      return;
    }
    if (this.#status === 'closed') return;
    const name = closeCodeName(code) ?? String(code);
    const error = new ClientError(
      name,
      `Connection closed for good (${code}${reason ? `: ${reason}` : ''})`,
      {
        closeCode: code,
      },
    );
    this.#setStatus('closed');
    this.#error(error);
    this.#failWaiters(error);
  }

  #onFrame(text: string): void {
    if (this.#status === 'closed') return;
    const { messages, errors } = parseServerFrame(text);
    if (errors.length > 0) {
      this.#error(toClientError(errors[0]));
      this.#resync();
      return;
    }
    const {
      welcome,
      batch,
      rejections,
      presence: updates,
      errors: said,
      resync,
      unavailable,
    } = interpretFrame(messages, this.#sections);
    let presence = false;
    if (welcome !== undefined) {
      this.#epoch = welcome.epoch;
      this.#conn = welcome.conn;
      this.#access = welcome.access;
      this.#splices = welcome.ext.includes(EXT_SPLICE);
      for (const change of this.#replica.pending) change.sent = false;
      presence = this.#peers.clear();
    }
    for (const error of said) this.#error(error);
    presence = this.#peers.apply(updates, this.#conn) || presence;
    const pendingBefore = this.pending;
    const result = batch.length > 0 ? this.#replica.receive(batch) : undefined;
    if (welcome?.epoch !== undefined) this.#basePending(welcome.epoch);
    if (result !== undefined) {
      if (result.acked.length > 0 || result.rejected.length > 0) this.#persist();
      if (result.acked.length > 0) this.#unavailable = 0;
      for (const change of result.rejected) {
        const info = rejections.get(change.id)!;
        if (info.code === SPLICE_STALE && change.retries < clientDefaults.maxStaleRetries) {
          // Based on a revision the server no longer remembers: sent again, based on ours.
          const again = this.#store.create(
            change.statements,
            change.body,
            this.#replica.rev,
            this.#epoch,
          );
          again.retries = change.retries + 1;
          this.#replica.requeue(again);
          this.#persist();
          continue;
        }
        this.#events.emit('reject', { ...info, text: change.body });
      }
      if (this.pending !== pendingBefore) this.#events.emit('pending', this.pending);
      for (const { path, op } of result.textOps) this.#events.emit('text', path, op);
      this.#subs.notify(result.touched, this.#replica.root);
    }
    if (presence) this.#presenceChanged();
    if (result !== undefined && this.#status === 'open') this.#sendPending();
    if (resync || result?.resync === true) {
      this.#error(
        new ClientError('PROTOCOL', 'Out of sync with the server: reloading the document'),
      );
      this.#resync();
      return;
    }
    if (unavailable && this.status !== 'closed') {
      // Not stored now (a server on Redis without Redis): kept, sent again after a reconnect.
      this.#unavailable++;
      this.#connection.restart();
      return;
    }
    if (welcome !== undefined && this.status !== 'closed') {
      this.#connection.established(this.#unavailable === 0);
      this.#setStatus('open');
      this.#sendPending();
      if (this.#presence !== null) this.#connection.send(presenceLine(this.#presence));
    }
    this.#checkSynced();
  }

  /** Reconnects asking for a snapshot. */
  #resync(): void {
    this.#replica.rev = -1;
    this.#connection.restart();
  }

  // --- helpers -----------------------------------------------------------------

  /**
   * After a welcome of history `epoch`: the pending changes based on a
   * revision of another history (the server lost its own; or restored from
   * storage, written before that) now sit on the snapshot of this one.
   */
  #basePending(epoch: string): void {
    let moved = false;
    for (const change of this.#replica.pending) {
      if (change.epoch !== undefined && change.epoch !== epoch) {
        change.base = this.#replica.rev;
        moved = true;
      }
      change.epoch = epoch;
    }
    if (moved) this.#persist();
  }

  #persist(): void {
    try {
      this.#store.save(this.#replica.pending);
    } catch (err) {
      this.#error(toClientError(err, 'STORAGE'));
    }
  }

  #setStatus(status: Status): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#events.emit('status', status);
    this.#checkSynced();
  }

  #presenceChanged(): void {
    this.#peersSnapshot = this.#peers.snapshot();
    this.#events.emit('presence', this.#peersSnapshot);
  }

  #error(error: ClientError): void {
    this.#events.emit('error', error);
  }

  #synced(): boolean {
    return this.#status === 'open' && this.pending === 0;
  }

  #checkSynced(): void {
    if (this.#waiters.size > 0 && this.#synced()) this.#waiters.resolve();
  }

  #failWaiters(error: ClientError): void {
    this.#waiters.reject(error);
  }
}

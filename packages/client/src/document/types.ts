import type { Operator, Path, TextOp } from '@varstream/varstream';
import type { BackoffOptions } from '../connection/backoff.js';
import type { WebSocketConstructor } from '../connection/websocket.js';
import type { ClientError, RejectionCode } from '../errors.js';
import type { DocPath, DocValue, ElementOf } from '../paths/schema.js';
import type { PresenceInput, PresenceState } from '../presence/presence.js';
import type { SyncStorage } from '../storage/storage.js';
import type { Listener } from '../subscriptions/subscriptions.js';

/** `connecting` until the first welcome, `open` while in sync, `offline` while reconnecting, `closed` for good. */
export type Status = 'connecting' | 'open' | 'offline' | 'closed';

export interface ConnectOptions {
  /** The WebSocket constructor. Default `globalThis.WebSocket`; in Node 20 pass `ws`'s. */
  WebSocket?: WebSocketConstructor;
  /** Credentials, sent in the hello (not in the URL). */
  token?: string;
  /**
   * Where pending changes survive a reload. Default (both `connect`s):
   * `localStorage` where it is usable (`browserStorage()`), else in memory (Node).
   */
  storage?: SyncStorage;
  /** Storage key. Default `varstream:` + the URL without its query. */
  storageKey?: string;
  /**
   * This client's id (1 to 64 of `A-Z a-z 0-9 _ -`). Default: a new random id
   * per instance. Give a stable one only if a single live instance uses it.
   */
  clientId?: string;
  /** Reconnection delays: exponential with full jitter. Default `clientDefaults.backoff` (250 ms, at most 30 000 ms). */
  backoff?: BackoffOptions;
  /** `#vs ping` interval while connected, in ms. Default `clientDefaults.heartbeatMs` (15 000). */
  heartbeatMs?: number;
  /** Silence after which the connection is considered dead, in ms. Default 2 × heartbeatMs + `clientDefaults.timeoutGraceMs` (5 000). */
  timeoutMs?: number;
  /** Time the server has to answer `checkConnection()`'s ping, in ms. Default `clientDefaults.probeTimeoutMs` (3 000). */
  probeTimeoutMs?: number;
  /** Most UTF-8 bytes in one local change; above, `FRAME_TOO_LARGE` at the call. Default `clientDefaults.maxChangeBytes` (1 000 000): raise it with the server's `maxFrameBytes`. */
  maxChangeBytes?: number;
  /** Initial presence state, sent on every connect. */
  presence?: PresenceInput;
}

/** A change the server refused: it was reverted in the view. */
export interface Rejection {
  readonly id: string;
  /** The server's code: `FORBIDDEN`, `TYPE_MISMATCH`, `RATE_LIMITED`... (PROTOCOL.md 3.3) */
  readonly code: RejectionCode;
  readonly message: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** The change's statements, as sent. */
  readonly text: string;
}

export interface DocumentEvents {
  status(status: Status): void;
  pending(count: number): void;
  reject(rejection: Rejection): void;
  error(error: ClientError): void;
  presence(peers: ReadonlyMap<string, PresenceState>): void;
  /**
   * A remote edit of the string at `path`, as a text operation on the view's
   * value (emitted before the subscribers hear the new value): what carets
   * and selections in that string move by (`transformPosition`).
   */
  text(path: Path, op: TextOp): void;
}

type PathArg<S> = DocPath<S> | Path;

/** A live, optimistic copy of one document. See `connect`. */
export interface VarStreamDocument<S = unknown> {
  readonly url: string;
  readonly clientId: string;
  readonly status: Status;
  /** Local changes not acknowledged yet. */
  readonly pending: number;
  /** Revision of the confirmed tree (-1 before the first snapshot). */
  readonly rev: number;
  /** This client's connection id while connected. */
  readonly conn: string | undefined;
  /** `read` or `write`, from the welcome. */
  readonly access: string | undefined;
  /** The others' presence states, keyed by connection id. */
  readonly presence: ReadonlyMap<string, PresenceState>;
  /** This client's own presence state, as last set. */
  readonly localPresence: PresenceInput | null;

  /** The value at a path of the optimistic view (live: do not mutate it). `''` is the root. */
  get<P extends DocPath<S>>(path: P): DocValue<S, P> | undefined;
  get(path: Path): unknown;
  /** Writes a value (objects and arrays expand into statements). Returns the change id. */
  set<P extends DocPath<S>>(path: P, value: DocValue<S, P>): string;
  set(path: Path, value: unknown): string;
  /** Deletes a value (`path=`; on a string, VarStream empties it). */
  delete(path: PathArg<S>): string;
  /** Any VarStream operator; `&=` takes the referenced path. */
  apply(op: Operator, path: PathArg<S>, value: unknown): string;
  /** `path.+=value`: appends to an array. */
  push<P extends DocPath<S>>(path: P, value: ElementOf<DocValue<S, P>>): string;
  push(path: Path, value: unknown): string;
  /** `path.*=value`: replaces the last element of an array. */
  setLast(path: PathArg<S>, value: unknown): string;
  /** `path.!=first` (empties the array, then writes its first element), or `path=[]`. */
  reset(path: PathArg<S>, first?: unknown): string;
  /** Applies raw VarStream text as one change. */
  applyText(text: string): string;
  /**
   * Edits the string at `path` in place: deletes `deleteCount` UTF-16 code
   * units at `at` and inserts `text` (a `~=` splice). Concurrent splices of
   * the same string merge (PROTOCOL.md 3.6): nobody's typing is lost.
   * Needs a server that speaks the extension (`splices`).
   */
  splice(path: PathArg<S>, at: number, deleteCount: number, text?: string): string;
  /** Several splices of one string as one change (a codec `TextOp`: keep / insert / delete). */
  editText(path: PathArg<S>, op: TextOp): string;
  /** True when the server speaks text splices (said by its last welcome). */
  readonly splices: boolean;

  /**
   * Calls `listener(value, path)` after each local or remote change at or
   * under a path or pattern (`form.*`: any field, `list.+`: any element,
   * `''`: everything). Returns the unsubscribe function.
   */
  subscribe<P extends DocPath<S>>(
    path: P,
    listener: (value: DocValue<S, P> | undefined, path: string) => void,
  ): () => void;
  subscribe(pattern: string | Path, listener: Listener): () => void;

  on<K extends keyof DocumentEvents>(event: K, listener: DocumentEvents[K]): () => void;
  /** Replaces this client's presence state (`null` clears it). */
  setPresence(state: PresenceInput | null): void;
  /** Resolves once connected with no pending change; rejects if the document closes first. */
  whenSynced(): Promise<void>;
  /**
   * While `offline`, connects now instead of after the backoff delay (for
   * when the network is known to be back). Returns false when there was
   * nothing to do. The DOM `connect` calls it on the page's `online` event.
   */
  reconnect(): boolean;
  /**
   * While connected, checks that the connection still works: pings the
   * server and, unless it answers within `probeTimeoutMs`, drops the socket
   * (status `offline`) and reconnects with backoff. A socket whose network
   * vanished only notices at its silence timeout (`timeoutMs`, 35 s by
   * default). Returns false when not connected or a check is running. The
   * DOM `connect` calls it on the page's `offline` event.
   */
  checkConnection(): boolean;
  close(): void;
}

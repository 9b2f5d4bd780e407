import { CloseCode, formatMeta, isFatalClose, Verb } from '@varstream/protocol';
import { Backoff, type BackoffOptions } from './backoff.js';
import { OPEN, protocolUrl, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

export interface ConnectionOptions {
  WebSocket: WebSocketConstructor;
  backoff?: BackoffOptions | undefined;
  /** Interval of `#vs ping` while established, in ms. */
  heartbeatMs: number;
  /** Silence (no frame, no pong) after which the connection is considered dead, in ms. */
  timeoutMs: number;
  /** Time the server has to answer a `probe()`'s ping, in ms. */
  probeTimeoutMs: number;
}

export interface ConnectionHandlers {
  /** The socket opened: send the hello. */
  open(): void;
  /** A text frame arrived. */
  frame(text: string): void;
  /** The socket is gone; `retry` is false after a fatal close code or `close()`. */
  down(code: number, reason: string, retry: boolean): void;
}

/** The error handler of a socket given up: its errors are expected and say nothing. */
function ignoreError(): void {}

/**
 * One logical connection: opens sockets one after another, with backoff
 * between attempts, a heartbeat while established, and a silence timeout.
 * It knows nothing of documents: frames go to the handlers.
 */
export class Connection {
  readonly #url: string;
  readonly #options: ConnectionOptions;
  readonly #handlers: ConnectionHandlers;
  readonly #backoff: Backoff;
  #socket: WebSocketLike | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #beatTimer: ReturnType<typeof setInterval> | undefined;
  #probeTimer: ReturnType<typeof setTimeout> | undefined;
  #lastHeard = 0;
  #established = false;
  #closed = false;
  #pings = 0;

  constructor(url: string, options: ConnectionOptions, handlers: ConnectionHandlers) {
    this.#url = protocolUrl(url);
    this.#options = options;
    this.#handlers = handlers;
    this.#backoff = new Backoff(options.backoff);
  }

  start(): void {
    if (this.#closed || this.#socket !== undefined) return;
    this.#retryTimer = undefined;
    let socket: WebSocketLike;
    try {
      socket = new this.#options.WebSocket(this.#url);
    } catch {
      this.#scheduleRetry();
      return;
    }
    this.#socket = socket;
    this.#established = false;
    this.#lastHeard = Date.now();
    this.#startTimer();
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#lastHeard = Date.now();
      this.#handlers.open();
    };
    socket.onmessage = (event) => {
      if (this.#socket !== socket) return;
      this.#lastHeard = Date.now();
      if (typeof event.data === 'string') this.#handlers.frame(event.data);
    };
    socket.onerror = ignoreError;
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#dropped(event.code, event.reason);
    };
  }

  /** Sends a frame; false when not connected (the caller keeps it for later). */
  send(text: string): boolean {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== OPEN) return false;
    try {
      socket.send(text);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The server welcomed us: heartbeats start, and the next failure backs off
   * from scratch (unless `resetBackoff` is false: the server keeps refusing).
   */
  established(resetBackoff = true): void {
    this.#established = true;
    if (resetBackoff) this.#backoff.reset();
  }

  /** Drops the current socket and connects again (after a backoff delay). */
  restart(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    this.#detach(socket, CloseCode.CLIENT_RESTART, 'restart');
    this.#dropped(CloseCode.CLIENT_RESTART, 'restart');
  }

  /**
   * Waiting for a retry: connects now instead of when the backoff delay ends
   * (the network came back). False when connected, connecting or closed.
   */
  retryNow(): boolean {
    if (this.#closed || this.#socket !== undefined || this.#retryTimer === undefined) return false;
    clearTimeout(this.#retryTimer);
    this.start();
    return true;
  }

  /**
   * Connected: pings now, and drops the socket (to connect again) unless the
   * server is heard from within `probeTimeoutMs` (the network may be gone,
   * which a socket only notices at its next silence timeout). False when
   * not connected or a probe is already running.
   */
  probe(): boolean {
    const socket = this.#socket;
    if (socket === undefined || !this.#established || this.#probeTimer !== undefined) return false;
    const since = Date.now();
    this.send(formatMeta(Verb.PING, { t: ++this.#pings }));
    this.#probeTimer = setTimeout(() => {
      this.#probeTimer = undefined;
      if (this.#socket !== socket || this.#lastHeard > since) return;
      this.#detach(socket, CloseCode.CLIENT_RESTART, 'timeout');
      this.#dropped(CloseCode.CLIENT_RESTART, 'timeout');
    }, this.#options.probeTimeoutMs);
    return true;
  }

  /** Closes for good (code 1000). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#stopTimer();
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined) this.#detach(socket, 1000, 'closed by the client');
  }

  #dropped(code: number, reason: string): void {
    this.#socket = undefined;
    this.#established = false;
    this.#stopTimer();
    const retry = !this.#closed && !isFatalClose(code);
    if (!retry) this.#closed = true;
    this.#handlers.down(code, reason, retry);
    if (retry) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer !== undefined) return;
    this.#retryTimer = setTimeout(() => this.start(), this.#backoff.next());
  }

  #detach(socket: WebSocketLike, code: number, reason: string): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    // Not null: ws emits 'error' for a socket closed before it opened, and
    // Node throws an 'error' event nobody listens to.
    socket.onerror = ignoreError;
    try {
      socket.close(code, reason);
    } catch {
      // Already closing, or never opened.
    }
  }

  #startTimer(): void {
    this.#stopTimer();
    const { heartbeatMs, timeoutMs } = this.#options;
    const tick = Math.max(10, Math.min(heartbeatMs, timeoutMs / 2));
    let sinceBeat = 0;
    this.#beatTimer = setInterval(() => {
      const socket = this.#socket;
      if (socket === undefined) return;
      if (Date.now() - this.#lastHeard > timeoutMs) {
        // Dead: no frame and no pong for too long. Do not wait for a close handshake.
        this.#detach(socket, CloseCode.CLIENT_RESTART, 'timeout');
        this.#dropped(CloseCode.CLIENT_RESTART, 'timeout');
        return;
      }
      sinceBeat += tick;
      if (this.#established && sinceBeat >= heartbeatMs) {
        sinceBeat = 0;
        this.send(formatMeta(Verb.PING, { t: ++this.#pings }));
      }
    }, tick);
  }

  #stopTimer(): void {
    clearInterval(this.#beatTimer);
    this.#beatTimer = undefined;
    clearTimeout(this.#probeTimer);
    this.#probeTimer = undefined;
  }
}

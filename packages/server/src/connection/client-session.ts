import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CloseCode, EXT_SPLICE, PROTOCOL_VERSION } from '@varstream/protocol';
import { PathContext } from '@varstream/varstream';
import { type RawData, WebSocket } from 'ws';
import {
  type Authenticate,
  formatScope,
  type ResolvedIdentity,
  resolveIdentity,
  WRITE_ALL,
} from '../auth/identity.js';
import type { HostedDocument } from '../document/hosted-document.js';
import type { Member } from '../document/member.js';
import { isServerError } from '../errors.js';
import { countLines } from '../limits/count-lines.js';
import { InputBudget } from '../limits/input-budget.js';
import type { MemoryBudget } from '../limits/memory-budget.js';
import { TokenBucket } from '../limits/token-bucket.js';
import type { Logger } from '../log/logger.js';
import { closeCodeLabel } from '../metrics/close-code-label.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { ServerLimits } from '../options/defaults.js';
import { clipReason } from './clip-reason.js';
import { FrameHandler } from './frame-handler.js';
import type { FrameSink, SharedLog } from './frame-sink.js';
import { type Hello, parseHello } from './hello.js';
import { incomingBytes } from './incoming-bytes.js';

/** What a connection needs from the server. */
export interface ClientSessionDeps {
  readonly limits: Readonly<ServerLimits>;
  readonly unsafeKeys: ReadonlySet<string>;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
  readonly authenticate: Authenticate | undefined;
  /** The server-wide memory estimate (`maxMemoryBytes`, `maxIncomingBytes`). */
  readonly memory: MemoryBudget;
  /** Incoming messages not complete passed `maxIncomingBytes`, all connections together. */
  onIncomingOverflow(): void;
  /** With Redis: the log the document's frames go through (see FrameSink). */
  readonly sharedLog?: SharedLog | undefined;
  openDocument(name: string): Promise<HostedDocument>;
  onClosed(connection: ClientSession): void;
}

export interface ClientSessionInit {
  readonly id: string;
  readonly docName: string;
  /** `vs=1`: a protocol client, which sends a hello first. */
  readonly protocol: boolean;
  readonly urlToken: string | undefined;
  readonly request: IncomingMessage;
  /** The upgraded socket, to count the bytes of messages still arriving. */
  readonly socket?: Duplex | undefined;
}

/** `draining`: no more frames read; what is queued for the client is sent, then it is closed. */
type State = 'hello' | 'joining' | 'open' | 'draining' | 'closing' | 'closed';

/** Longest wait for queued replies before a `closeAfterReplies`. */
const DRAIN_MS = 1_000;

/**
 * A frame at least this large (lines, bytes) is followed by a turn of the
 * event loop before the connection's next frame is read: the frames of other
 * connections (other documents) get their turn in between.
 */
const YIELD_LINES = 1_000;
const YIELD_BYTES = 256 * 1024;

/**
 * Runs `resume` once the event loop has read what other sockets sent
 * meanwhile (its poll phase) and sent the answers that caused (documents
 * flush in the check phase, with setImmediate): three hops of setImmediate,
 * since an immediate queued during the check phase runs in the next one.
 * Returns a cancel function.
 */
function afterOtherSockets(resume: () => void): () => void {
  let hops = 0;
  let handle: NodeJS.Immediate;
  const hop = () => {
    if (++hops === 3) resume();
    else handle = setImmediate(hop);
  };
  handle = setImmediate(hop);
  return () => clearImmediate(handle);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * One client WebSocket: hello (protocol clients), authentication, joining
 * its document, then its frames handed to a FrameHandler. It is the
 * document's `Member`: frames are sent through it, and a client that lets
 * more than `maxBufferedBytes` pile up is dropped (4503).
 */
export class ClientSession implements Member {
  readonly id: string;
  /** Announced the splice extension in its hello (set when it joins). */
  splices = false;
  /** Plain clients and version 2 hellos get compact section heads; version 1, full ones. */
  compact = true;
  readonly docName: string;
  readonly context = new PathContext();
  /** Answered the last WebSocket ping (or sent something since). */
  alive = true;
  readonly #ws: WebSocket;
  readonly #deps: ClientSessionDeps;
  readonly #urlToken: string | undefined;
  #request: IncomingMessage | undefined;
  #state: State;
  #doc: HostedDocument | undefined;
  #identity: ResolvedIdentity | undefined;
  #handler: FrameSink | undefined;
  /** Frames received while reading is paused (joining, or paced): handled in order later. */
  #inbox: Buffer[] = [];
  #helloTimer: NodeJS.Timeout | undefined;
  readonly #budget: InputBudget;
  /** Set while reading is paced (see #pace): cancels the pending resume. */
  #paced: (() => void) | undefined;
  /** Size of the welcome: a client may take its time reading a large snapshot. */
  #allowance = 0;
  /** Bytes of the welcome shared with other clients (see `backlog`). */
  #sharedWelcome = 0;
  /** Bytes received since the last complete message: a message still arriving. */
  #incoming = 0;

  constructor(ws: WebSocket, init: ClientSessionInit, deps: ClientSessionDeps) {
    this.id = init.id;
    this.docName = init.docName;
    this.#ws = ws;
    this.#deps = deps;
    this.#urlToken = init.urlToken;
    this.#request = init.request;
    this.#budget = new InputBudget(deps.limits);
    deps.metrics.connectionsOpened.inc();
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('close', (code) => this.#onClose(code));
    ws.on('error', (err) => deps.logger.debug('websocket error', { conn: this.id, error: err }));
    ws.on('pong', (data) => {
      this.alive = true;
      this.#measure(-(data.length + 6)); // a masked control frame: 6 header bytes
    });
    // After ws's own listener: what it holds once it has parsed the chunk.
    init.socket?.on('data', (chunk: Buffer) => this.#measure(chunk.length));
    if (init.protocol) {
      this.#state = 'hello';
      this.#helloTimer = setTimeout(
        () => this.close(CloseCode.HELLO_TIMEOUT, 'No hello in time'),
        deps.limits.helloTimeoutMs,
      );
    } else {
      this.#state = 'joining';
      void this.#join(init.urlToken, undefined);
    }
  }

  get state(): State {
    return this.#state;
  }

  get identity(): ResolvedIdentity | undefined {
    return this.#identity;
  }

  // --- Member ---------------------------------------------------------------------

  send(frame: Buffer | string | readonly Buffer[]): void {
    if (typeof frame === 'string') this.#write([Buffer.from(frame, 'utf8')], false);
    else this.#write(Buffer.isBuffer(frame) ? [frame] : frame, false);
  }

  sendWelcome(
    parts: readonly (Buffer | string)[],
    compressible: (bytes: number) => boolean = () => true,
  ): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    let bytes = 0;
    let shared = 0;
    for (const part of parts) {
      if (typeof part === 'string') bytes += Buffer.byteLength(part, 'utf8');
      else {
        bytes += part.length;
        shared += part.length;
      }
    }
    this.#allowance = bytes;
    if (
      bytes >= this.#deps.limits.compressWelcomeBytes &&
      ws.extensions.includes('deflate') &&
      compressible(bytes)
    ) {
      // The only frame ever compressed (the client offered permessage-deflate
      // and it reaches compressWelcomeBytes): its own copy, compressed.
      this.#sharedWelcome = 0;
      this.#write(
        [Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)))],
        true,
      );
      return;
    }
    // One message in fragments: a shared Buffer is queued as it is, never copied.
    this.#sharedWelcome = shared;
    for (let i = 0; i < parts.length; i++) {
      ws.send(parts[i]!, { binary: false, fin: i === parts.length - 1, compress: false });
    }
    const { counts } = this.#deps.metrics;
    counts.framesOut++;
    counts.bytesOut += bytes;
  }

  /**
   * Bytes waiting to be sent to this client that it alone holds (the shared
   * part of its welcome counted out): what it costs the server's memory.
   */
  get backlog(): number {
    return Math.max(0, this.#ws.bufferedAmount - this.#sharedWelcome);
  }

  /** Sends one message: its parts as fragments (one part: one frame). */
  #write(parts: readonly Buffer[], compress: boolean): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const ws = this.#ws;
    if (ws.readyState !== WebSocket.OPEN) return;
    const { limits, metrics, logger } = this.#deps;
    if (ws.bufferedAmount > limits.maxBufferedBytes + this.#allowance) {
      metrics.slowConsumers.inc();
      logger.warn('slow consumer dropped', {
        conn: this.id,
        doc: this.docName,
        buffered: ws.bufferedAmount,
      });
      this.close(CloseCode.SLOW_CONSUMER, 'Too slow: more than maxBufferedBytes waiting');
      return;
    }
    let bytes = 0;
    for (let i = 0; i < parts.length; i++) {
      ws.send(parts[i]!, { binary: false, fin: i === parts.length - 1, compress });
      bytes += parts[i]!.length;
    }
    metrics.counts.framesOut++;
    metrics.counts.bytesOut += bytes;
  }

  // --- lifecycle -----------------------------------------------------------------

  /** Bytes held of messages this client has not finished sending (see incomingBytes). */
  get incoming(): number {
    return this.#incoming;
  }

  /**
   * Updates `incoming` (and the server's total) from what ws holds; without
   * access to that, from the bytes received since the last message
   * (`received`: bytes just read, negative for what a control frame used).
   */
  #measure(received: number): void {
    if (this.#state === 'closed') return;
    const held = incomingBytes(this.#ws) ?? Math.max(0, this.#incoming + received);
    const { memory, limits } = this.#deps;
    if (held > this.#incoming) memory.addIncoming(held - this.#incoming);
    else memory.removeIncoming(this.#incoming - held);
    this.#incoming = held;
    if (received >= 0 && memory.incoming > limits.maxIncomingBytes) {
      this.#deps.onIncomingOverflow();
    }
  }

  /** Measures `incoming` again (fragments are inflated asynchronously, after the read that brought them). */
  refreshIncoming(): void {
    this.#measure(0);
  }

  /** Nothing of this client's messages is held any more (a message was complete, or it closed). */
  #forgetIncoming(): void {
    this.#deps.memory.removeIncoming(this.#incoming);
    this.#incoming = 0;
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.alive = true;
    const buffer = toBuffer(data);
    // Whatever it was made of (fragments, headers), nothing of it is still arriving.
    this.#forgetIncoming();
    const { counts } = this.#deps.metrics;
    counts.framesIn++;
    counts.bytesIn += buffer.length;
    if (isBinary) {
      this.close(CloseCode.BAD_REQUEST, 'Binary frames are not accepted: send VarStream text');
      return;
    }
    switch (this.#state) {
      case 'hello': {
        clearTimeout(this.#helloTimer);
        const result = parseHello(buffer.toString('utf8'));
        if (!result.ok) {
          this.close(result.code, result.reason);
          return;
        }
        this.#state = 'joining';
        this.compact = result.hello.version >= 2;
        void this.#join(this.#urlToken ?? result.hello.token, result.hello);
        return;
      }
      case 'joining':
        this.#ws.pause();
        this.#inbox.push(buffer);
        return;
      case 'open':
        // ws may still emit the frames of a chunk it had read before a pause.
        if (this.#paced !== undefined) this.#inbox.push(buffer);
        else this.#handle(buffer);
        return;
      // 'draining': the client is being closed; what it sends now is ignored.
      default:
        return;
    }
  }

  async #join(token: string | undefined, hello: Hello | undefined): Promise<void> {
    const { logger } = this.#deps;
    try {
      const identity = await this.#authenticate(token);
      if (this.#state !== 'joining') return;
      if (identity === undefined) {
        this.close(CloseCode.UNAUTHORIZED, 'Unauthorized');
        return;
      }
      this.#identity = identity;
      let doc = await this.#deps.openDocument(this.docName);
      if (this.#state !== 'joining') return;
      if (doc.status !== 'open') {
        // Released (its last member left while this one was opening it) or failed: load it again.
        doc = await this.#deps.openDocument(this.docName);
        if (this.#state !== 'joining') return;
      }
      const shared = this.#deps.sharedLog;
      if (
        shared !== undefined &&
        hello?.rev !== undefined &&
        (hello.epoch === undefined || hello.epoch === doc.epoch)
      ) {
        // Another node may be ahead of this one: reach the client's revision first.
        await shared.catchUp(doc, hello.rev);
        if (this.#state !== 'joining') return;
        if (doc.status !== 'open') doc = await this.#deps.openDocument(this.docName);
        if (this.#state !== 'joining') return;
      }
      this.#doc = doc;
      this.#request = undefined;
      this.splices = hello?.extensions.includes(EXT_SPLICE) ?? false;
      const { limits, unsafeKeys, metrics } = this.#deps;
      const bucket = new TokenBucket(limits.maxChangesPerSecond, limits.changeBurst);
      const onFlood = () =>
        this.closeAfterReplies(CloseCode.RATE_LIMITED, 'Rate limit exceeded, again and again');
      const handler = new FrameHandler({
        member: this,
        doc,
        identity,
        context: this.context,
        limits,
        unsafeKeys,
        bucket,
        metrics,
        client: hello?.client,
        memory: this.#deps.memory,
        onFlood,
      });
      const how = doc.join(this, {
        resumeRev: hello?.rev,
        resumeEpoch: hello?.epoch,
        version: hello?.version ?? PROTOCOL_VERSION,
        fields: {
          access: identity.access,
          scope: identity.scope === undefined ? undefined : formatScope(identity.scope),
          ext: this.splices ? EXT_SPLICE : undefined,
        },
        client: hello?.client,
      });
      this.#handler =
        shared === undefined
          ? handler
          : shared.attach(doc, {
              member: this,
              identity,
              client: hello?.client,
              bucket,
              local: handler,
              onFlood,
            });
      this.#state = 'open';
      logger.debug('joined', {
        conn: this.id,
        doc: doc.name,
        client: hello?.client,
        user: identity.user,
        welcome: how,
      });
      this.#drain();
    } catch (err) {
      if (this.#state !== 'joining') return;
      if (isServerError(err) && err.code === 'UNAVAILABLE') {
        // Redis cannot be reached now: the client tries again later (with backoff).
        logger.info('could not join a document', { conn: this.id, doc: this.docName, error: err });
        this.close(CloseCode.UNAVAILABLE, 'The document store is unavailable: try again later');
        return;
      }
      if (isServerError(err) && err.code === 'SERVER_FULL') {
        this.close(CloseCode.UNAVAILABLE, 'Server memory budget reached: try again later');
        return;
      }
      logger.error('could not join a document', { conn: this.id, doc: this.docName, error: err });
      this.close(CloseCode.INTERNAL_ERROR, 'Internal error');
    }
  }

  async #authenticate(token: string | undefined): Promise<ResolvedIdentity | undefined> {
    const hook = this.#deps.authenticate;
    if (hook === undefined) return WRITE_ALL;
    const request = this.#request;
    if (request === undefined) return undefined;
    try {
      const result = await hook({ token, doc: this.docName, request });
      return result ? resolveIdentity(result) : undefined;
    } catch (err) {
      this.#deps.logger.info('authenticate refused', { conn: this.id, error: err });
      return undefined;
    }
  }

  #handle(buffer: Buffer): void {
    try {
      this.#handler!.handle(buffer);
    } catch (err) {
      this.#deps.logger.error('frame handling failed', {
        conn: this.id,
        doc: this.docName,
        error: err,
      });
      this.close(CloseCode.INTERNAL_ERROR, 'Internal error');
      return;
    }
    this.#pace(buffer);
  }

  /**
   * Charges a handled frame to the connection's budget (maxLinesPerSecond,
   * maxBytesInPerSecond): over it, the connection is not read until it is
   * back under; after a large frame, not before the event loop's next turn.
   */
  #pace(buffer: Buffer): void {
    if (this.#state !== 'open') return;
    const lines = countLines(buffer, this.#deps.limits.maxLinesPerFrame);
    const wait = this.#budget.charge(lines, buffer.length);
    if (wait > 0) {
      this.#deps.metrics.inputPaced.inc();
      const timer = setTimeout(this.#resumeReading, Math.ceil(wait));
      this.#pause(() => clearTimeout(timer));
    } else if (lines >= YIELD_LINES || buffer.length >= YIELD_BYTES) {
      this.#pause(afterOtherSockets(this.#resumeReading));
    }
  }

  #pause(cancel: () => void): void {
    this.#paced = cancel;
    this.#ws.pause();
  }

  readonly #resumeReading = (): void => {
    this.#paced = undefined;
    this.#drain();
  };

  /** Handles the frames received meanwhile, then reads the socket again (unless paced anew). */
  #drain(): void {
    while (this.#inbox.length > 0 && this.#state === 'open' && this.#paced === undefined) {
      this.#handle(this.#inbox.shift()!);
    }
    if (this.#state === 'open' && this.#paced === undefined) this.#ws.resume();
  }

  /** Sends a WebSocket ping; terminates the connection if the previous one got no answer. */
  heartbeat(): void {
    if (this.#state === 'closed') return;
    if (!this.alive) {
      this.#deps.logger.info('dead connection terminated', { conn: this.id });
      this.#ws.terminate();
      return;
    }
    this.alive = false;
    try {
      this.#ws.ping();
    } catch {
      // Not open (any more): the close event follows.
    }
  }

  /**
   * Stops reading the client's frames, lets the replies already queued for
   * it (its rejections) go out, then closes.
   */
  closeAfterReplies(code: number, reason: string): void {
    const doc = this.#doc;
    if (this.#state !== 'open' || doc === undefined) {
      this.close(code, reason);
      return;
    }
    this.#state = 'draining';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_MS);
    });
    void Promise.race([doc.drained(this), timeout]).then(() => {
      clearTimeout(timer);
      this.close(code, reason);
    });
  }

  /** Closes with a protocol close code; the connection leaves its document at once. */
  close(code: number, reason: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#state = 'closing';
    clearTimeout(this.#helloTimer);
    this.#leave();
    // Read again (reading may be paused: joining, paced): the client's close frame ends the handshake.
    this.#ws.resume();
    try {
      this.#ws.close(code, clipReason(reason));
    } catch {
      this.#ws.terminate();
    }
  }

  /** Cuts the socket without a close handshake. */
  terminate(): void {
    this.#ws.terminate();
  }

  #leave(): void {
    const doc = this.#doc;
    this.#doc = undefined;
    this.#inbox = [];
    this.#paced?.();
    this.#paced = undefined;
    if (doc !== undefined) doc.leave(this);
    this.#handler?.detach?.();
    this.#handler = undefined;
  }

  #onClose(code: number): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#helloTimer);
    this.#forgetIncoming();
    this.#leave();
    this.#request = undefined;
    this.#deps.metrics.connectionsClosed.inc({ code: closeCodeLabel(code) });
    this.#deps.onClosed(this);
  }
}

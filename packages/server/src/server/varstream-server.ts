import { randomBytes } from 'node:crypto';
import {
  createServer,
  type Server as HttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CloseCode } from '@varstream/protocol';
import { formatStatement, PathContext, type Statement } from '@varstream/varstream';
import { type ServerOptions, type WebSocket, WebSocketServer } from 'ws';
import { originAllowed } from '../auth/origin.js';
import { ClientSession, type ClientSessionDeps } from '../connection/client-session.js';
import { clipReason } from '../connection/clip-reason.js';
import { docNameFromPath, rawPathname, underPrefix } from '../document/doc-name.js';
import type { HostedDocument } from '../document/hosted-document.js';
import { DocumentRegistry } from '../document/registry.js';
import type { Revision } from '../document/revision.js';
import { writeStatements } from '../document/server-write.js';
import { ServerError } from '../errors.js';
import { createRequestHandler } from '../http/request-handler.js';
import { seedFromText } from '../init/seed.js';
import { DOCUMENT_BASE_BYTES, MemoryBudget } from '../limits/memory-budget.js';
import type { Logger } from '../log/logger.js';
import { closeCodeLabel } from '../metrics/close-code-label.js';
import { ServerMetrics } from '../metrics/metrics.js';
import { codecLimits } from '../options/codec-limits.js';
import type { ServerLimits } from '../options/defaults.js';
import {
  type ResolvedOptions,
  resolveOptions,
  type VarStreamServerOptions,
} from '../options/options.js';
import { readStatements } from '../reading/statement-reader.js';
import { RedisRegistry } from '../redis/redis-registry.js';
import { createStaticHandler, type RequestHandler } from '../static/static-handler.js';
import { prepareDataDir } from '../storage/data-dir.js';
import { MemoryGuard } from './memory-guard.js';

/** A revision as listeners see it, once durable and delivered. */
export interface RevisionEvent {
  readonly doc: string;
  readonly rev: number;
  /** The writer's connection (undefined for server-side writes). */
  readonly conn: string | undefined;
  readonly id: string | undefined;
  /** Canonical statements. */
  readonly body: string;
  /** The change section: `#vs change` line and body. */
  readonly text: string;
}

export type RevisionListener = (event: RevisionEvent) => void;

/** A read-only look at a loaded document. */
export interface DocumentView {
  readonly name: string;
  readonly rev: number;
  /** The history's epoch: revision numbers mean something only within one (PROTOCOL.md). */
  readonly epoch: string;
  /** The live tree: read it, never change it. */
  readonly root: unknown;
  /** Connections on this document. */
  readonly members: number;
  /** The document as VarStream text. */
  snapshot(): string;
}

export interface WriteOptions {
  /** `^` context kept between writes (a stream); default: a fresh one. */
  context?: PathContext;
  /** All or nothing (default true); false skips the statements that fail. */
  atomic?: boolean;
}

export interface WriteResult {
  /** The revision created, undefined when nothing applied. */
  readonly rev: number | undefined;
  /** With `atomic: false`: the statements that failed. */
  readonly errors: readonly Error[];
}

/**
 * The VarStream sync server: one live tree per document (named by the URL
 * path), kept in sync between every client over WebSockets, per
 * PROTOCOL.md. Attach it to an HTTP server (`{ server }`) or let it listen
 * (`{ port, host }`), then `await server.listen()`.
 */
export class VarStreamServer {
  readonly limits: Readonly<ServerLimits>;
  readonly metrics: ServerMetrics;
  /** Answers `/healthz`, `/metrics` (and the static directory): mount it on your own HTTP server if you attach to one. */
  readonly requestHandler: RequestHandler;
  readonly #options: ResolvedOptions;
  readonly #logger: Logger;
  readonly #http: HttpServer | HttpsServer;
  readonly #ownsHttp: boolean;
  readonly #wss: WebSocketServer;
  readonly #registry: DocumentRegistry | RedisRegistry;
  /** With `redis`: the same registry, as the shared log. */
  readonly #redis: RedisRegistry | undefined;
  readonly #connections = new Set<ClientSession>();
  readonly #listeners = new Set<RevisionListener>();
  readonly #deps: ClientSessionDeps;
  readonly #memory: MemoryBudget;
  readonly #guard: MemoryGuard;
  /**
   * Ends every connection id: random (24 bits in 4 characters, as short as
   * they can be on every change section), or (with Redis) this node's id,
   * unique among the nodes.
   */
  #bootTag = randomBytes(3).toString('base64url');
  #sequence = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;
  #allClosed: (() => void) | undefined;
  #ready: Promise<void> | undefined;

  constructor(options: VarStreamServerOptions = {}) {
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.limits = resolved.limits;
    this.#logger = resolved.logger;
    this.metrics = new ServerMetrics(
      { connections: () => this.#connections.size, documents: () => this.#registry.size },
      { defaultMetrics: resolved.defaultMetrics },
    );
    const seed = resolved.init === undefined ? undefined : seedFromText(resolved.init);
    const config = {
      limits: resolved.limits,
      unsafeKeys: resolved.unsafeKeys,
      metrics: this.metrics,
      logger: resolved.logger,
      onRevision: (doc: HostedDocument, revision: Revision) => this.#emit(doc, revision),
    };
    this.#redis =
      resolved.redis === undefined
        ? undefined
        : new RedisRegistry({ url: resolved.redis, config, seed, logger: resolved.logger });
    this.#registry =
      this.#redis ??
      new DocumentRegistry({
        config,
        dataDir: resolved.dataDir,
        fsync: resolved.fsync,
        seed,
        metrics: this.metrics,
        logger: resolved.logger,
      });
    const registry = this.#registry;
    const connections = this.#connections;
    this.#memory = new MemoryBudget(resolved.limits.maxMemoryBytes, {
      documentBytes() {
        let bytes = 0;
        for (const doc of registry.values()) bytes += doc.size + DOCUMENT_BASE_BYTES;
        return bytes;
      },
      backlogBytes() {
        let bytes = 0;
        for (const connection of connections) bytes += connection.backlog;
        return bytes;
      },
    });
    this.#guard = new MemoryGuard({
      budget: this.#memory,
      maxIncomingBytes: resolved.limits.maxIncomingBytes,
      connections: () => connections,
      unloadIdle: () => (registry instanceof DocumentRegistry ? registry.sweep(true) : 0),
      metrics: this.metrics,
      logger: resolved.logger,
    });
    this.#deps = {
      limits: resolved.limits,
      unsafeKeys: resolved.unsafeKeys,
      metrics: this.metrics,
      logger: resolved.logger,
      authenticate: resolved.authenticate,
      memory: this.#memory,
      onIncomingOverflow: () => this.#guard.incomingOverflow(),
      sharedLog: this.#redis,
      openDocument: (name) => this.#openForClient(name),
      onClosed: (connection) => this.#onClosed(connection),
    };
    const wsOptions: ServerOptions & { closeTimeout: number } = {
      noServer: true,
      clientTracking: false,
      perMessageDeflate: welcomeDeflate(resolved.limits.compressWelcomeBytes),
      maxPayload: resolved.limits.maxFrameBytes * 2,
      // ws >= 8.19: how long a closing socket waits for the peer's close frame.
      closeTimeout: resolved.limits.closeTimeoutMs,
    };
    this.#wss = new WebSocketServer(wsOptions);
    this.requestHandler = createRequestHandler({
      healthy: () => this.#closing === undefined,
      health: () => ({ connections: this.#connections.size, documents: this.#registry.size }),
      metrics: async () => ({
        contentType: this.metrics.contentType,
        text: await this.metrics.text(),
      }),
      fallback:
        resolved.staticDir === undefined ? undefined : createStaticHandler(resolved.staticDir),
    });
    if (resolved.server !== undefined) {
      this.#http = resolved.server;
      this.#ownsHttp = false;
    } else {
      this.#http = createServer((req, res) => this.#onRequest(req, res));
      this.#ownsHttp = true;
    }
    this.#http.on('upgrade', this.#onUpgrade);
    this.#heartbeat = setInterval(() => {
      for (const connection of this.#connections) connection.heartbeat();
    }, resolved.limits.heartbeatMs);
    this.#heartbeat.unref();
  }

  /**
   * Starts: creates the data directory, then listens (own HTTP server). With
   * an attached server, listening is up to its owner.
   */
  listen(): Promise<void> {
    this.#ready ??= this.#start();
    return this.#ready;
  }

  async #start(): Promise<void> {
    if (this.#options.dataDir !== undefined) await prepareDataDir(this.#options.dataDir);
    if (this.#redis !== undefined) this.#bootTag = await this.#redis.start();
    if (!this.#ownsHttp || this.#http.listening) return;
    const http = this.#http;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      http.once('error', onError);
      http.listen(this.#options.port, this.#options.host, () => {
        http.off('error', onError);
        resolve();
      });
    });
  }

  /** The listening address (of the attached server, or the own one). */
  address(): AddressInfo | null {
    const address = this.#http.address();
    return address === null || typeof address === 'string' ? null : address;
  }

  /** `ws://host:port/` (plus the prefix). */
  get url(): string {
    const address = this.address();
    if (address === null) throw new ServerError('CLOSED', 'Not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${address.port}${this.#options.prefix}/`;
  }

  get connections(): number {
    return this.#connections.size;
  }

  /** A loaded document, or undefined. */
  document(name: string): DocumentView | undefined {
    const doc = this.#registry.get(name);
    return doc === undefined ? undefined : view(doc);
  }

  /** Loads (or creates) a document. */
  async open(name: string): Promise<DocumentView> {
    return view(await this.#registry.open(name));
  }

  /** The server-wide memory estimate, in bytes (see `maxMemoryBytes`). */
  get memoryUsed(): number {
    return this.#memory.used(true);
  }

  /** A document for a client: one not loaded yet is refused while the memory budget is reached. */
  #openForClient(name: string): Promise<HostedDocument> {
    if (this.#registry.get(name) === undefined) {
      if (this.#full()) {
        return Promise.reject(
          new ServerError('SERVER_FULL', 'The server memory budget is reached (maxMemoryBytes)'),
        );
      }
      // Counted now: the estimate is reused for up to 100 ms, and every new
      // document admitted meanwhile would otherwise weigh nothing in it.
      this.#memory.grew(DOCUMENT_BASE_BYTES);
    }
    return this.#registry.open(name);
  }

  /** The memory budget is reached, even after what the guard can free at once. */
  #full(): boolean {
    if (!this.#memory.over()) return false;
    this.#guard.checkSoon();
    return this.#memory.over(true);
  }

  /** Calls `listener` for every revision of every document, once durable, in order. */
  onRevision(listener: RevisionListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A server-side write: VarStream text applied to a document as one
   * revision (no `conn`, no `id`), broadcast like any change. Resolves once
   * it is durable and sent. Throws the first error (nothing applied).
   */
  async write(docName: string, text: string): Promise<number | undefined> {
    const statements = readStatements(text, codecLimits(this.limits));
    const result = await this.writeStatements(docName, statements, { context: new PathContext() });
    return result.rev;
  }

  /** Applies parsed statements to a document as one revision. See `write`. */
  async writeStatements(
    docName: string,
    statements: readonly Statement[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    if (this.#redis !== undefined) {
      // Through the log: applied by every node in its order (`^` resolved here, per write).
      let text = '';
      for (const statement of statements) text += formatStatement(statement);
      const outcome = await this.#redis.write(docName, text, options.atomic !== false);
      return { rev: outcome.rev, errors: outcome.errors };
    }
    const doc = await this.#registry.open(docName);
    const { revision, errors } = writeStatements(
      doc,
      statements,
      options.context ?? new PathContext(),
      { atomic: options.atomic !== false, unsafeKeys: this.#options.unsafeKeys },
    );
    if (revision !== undefined) await doc.whenIdle();
    return { rev: revision?.rev, errors };
  }

  // --- HTTP and upgrades -------------------------------------------------------------

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.requestHandler(req, res).then(
      (handled) => {
        if (handled) return;
        res.statusCode = 404;
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end('Not found\n');
      },
      (err: unknown) => {
        this.#logger.error('HTTP request failed', { url: req.url, error: err });
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      },
    );
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = parseUrl(req.url);
    // Names come from the path as sent: never decoded nor normalised (PROTOCOL.md 2).
    const pathname = rawPathname(req.url);
    if (
      url === undefined ||
      pathname === undefined ||
      !underPrefix(pathname, this.#options.prefix)
    ) {
      // Not ours: another upgrade listener may take it; if there is none, nobody will.
      if (this.#ownsHttp || this.#http.listenerCount('upgrade') <= 1) {
        refuse(socket, 404, 'Not Found');
      }
      return;
    }
    if (this.#closing !== undefined) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    const docName = docNameFromPath(pathname, this.#options.prefix);
    if (docName !== undefined && this.#registry.get(docName) === undefined && this.#full()) {
      this.#logger.warn('connection refused: maxMemoryBytes reached', { doc: docName });
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    if (this.#connections.size >= this.limits.maxConnections) {
      this.#logger.warn('connection refused: maxConnections reached', {
        max: this.limits.maxConnections,
      });
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) =>
      this.#onConnection(ws, req, url, pathname, socket),
    );
  };

  #onConnection(
    ws: WebSocket,
    req: IncomingMessage,
    url: URL,
    pathname: string,
    socket: Duplex,
  ): void {
    const refuseWith = (code: number, reason: string) => {
      this.metrics.connectionsClosed.inc({ code: closeCodeLabel(code) });
      ws.close(code, clipReason(reason));
    };
    if (!originAllowed(this.#options.origins, req.headers.origin)) {
      this.#logger.info('origin refused', { origin: req.headers.origin });
      refuseWith(CloseCode.FORBIDDEN_ORIGIN, 'Origin not allowed');
      return;
    }
    const docName = docNameFromPath(pathname, this.#options.prefix);
    if (docName === undefined) {
      refuseWith(CloseCode.BAD_REQUEST, 'Bad document name');
      return;
    }
    const vs = url.searchParams.get('vs');
    if (vs !== null && vs !== '1') {
      // `vs` says "I speak the protocol", not which version: the hello's `v` does.
      refuseWith(
        CloseCode.UNSUPPORTED_VERSION,
        `Unknown vs=${vs}: use vs=1 (the hello's v gives the version)`,
      );
      return;
    }
    const connection = new ClientSession(
      ws,
      {
        id: `c${(++this.#sequence).toString(36)}.${this.#bootTag}`,
        docName,
        protocol: vs === '1',
        urlToken: url.searchParams.get('token') ?? undefined,
        request: req,
        socket,
      },
      this.#deps,
    );
    this.#connections.add(connection);
  }

  #onClosed(connection: ClientSession): void {
    this.#connections.delete(connection);
    const doc = this.#registry.get(connection.docName);
    if (doc !== undefined) this.#registry.release(doc);
    if (this.#connections.size === 0) this.#allClosed?.();
  }

  #emit(doc: HostedDocument, revision: Revision): void {
    if (this.#listeners.size === 0) return;
    const event: RevisionEvent = {
      doc: doc.name,
      rev: revision.rev,
      conn: revision.conn,
      id: revision.id,
      body: revision.body,
      text: revision.text,
    };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#logger.error('revision listener threw', { error: err });
      }
    }
  }

  // --- shutdown ------------------------------------------------------------------------

  /**
   * Graceful shutdown: stops accepting connections and changes, writes and
   * sends everything accepted (journals fsynced and closed), then closes
   * every client with 1001 (cut after `closeTimeoutMs`).
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#guard.stop();
    const http = this.#http;
    if (this.#ownsHttp) {
      if (http.listening) http.close();
    } else {
      http.off('upgrade', this.#onUpgrade);
    }
    await this.#registry.closeAll();
    if (this.#connections.size > 0) {
      const allClosed = new Promise<void>((resolve) => {
        this.#allClosed = resolve;
      });
      for (const connection of this.#connections) {
        connection.close(CloseCode.GOING_AWAY, 'Server shutting down');
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.limits.closeTimeoutMs);
      });
      await Promise.race([allClosed, timeout]);
      clearTimeout(timer);
      for (const connection of this.#connections) connection.terminate();
    }
    this.#wss.close();
    if (this.#ownsHttp) {
      (http as HttpServer).closeAllConnections();
    }
    this.#logger.info('server closed');
  }
}

function view(doc: HostedDocument): DocumentView {
  return {
    name: doc.name,
    epoch: doc.epoch,
    get rev() {
      return doc.rev;
    },
    get root() {
      return doc.tree.root;
    },
    get members() {
      return doc.members;
    },
    snapshot: () => doc.snapshotText(),
  };
}

function parseUrl(url: string | undefined): URL | undefined {
  try {
    return new URL(url ?? '/', 'http://localhost');
  } catch {
    return undefined;
  }
}

function refuse(socket: Duplex, status: number, text: string): void {
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}

/**
 * `permessage-deflate` for welcomes only (see `compressWelcomeBytes`):
 * small windows and no context kept between messages, so that a
 * connection's zlib state stays small (about 20 KiB once used). Frames a
 * client compresses are inflated within `maxPayload`.
 */
function welcomeDeflate(threshold: number): ServerOptions['perMessageDeflate'] {
  if (!Number.isFinite(threshold)) return false;
  return {
    threshold,
    serverNoContextTakeover: true,
    clientNoContextTakeover: true,
    serverMaxWindowBits: 10,
    clientMaxWindowBits: 10,
    zlibDeflateOptions: { memLevel: 4 },
  };
}

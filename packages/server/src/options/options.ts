import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Path } from '@varstream/varstream';
import type { Authenticate } from '../auth/identity.js';
import { normalizeOrigin } from '../auth/origin.js';
import { ServerError } from '../errors.js';
import { createLogger, type Logger, type LogLevel } from '../log/logger.js';
import { type FsyncPolicy, isFsyncPolicy } from '../storage/fsync-policy.js';
import { defaultUnsafeKeys, type ServerLimits, serverDefaults } from './defaults.js';

/** VarStream text that becomes the first revision of a document with no state. */
export interface InitialState {
  /** VarStream text (a `.dat` file's content). */
  readonly text: string;
  /** Where to put it. Default: the root. */
  readonly path?: Path | string;
  /** Which document. Default `default`. */
  readonly doc?: string;
}

export interface VarStreamServerOptions extends Partial<ServerLimits> {
  /** Attach to this HTTP(S) server (its `upgrade` events); it keeps serving the rest. */
  server?: HttpServer | HttpsServer;
  /** Listen on this port (0: any free port) when no `server` is given. Default 8080. */
  port?: number;
  /** Listen on this host. Default `127.0.0.1`. */
  host?: string;
  /** URL path prefix of documents (`/sync`: `/sync/notes` is `notes`). Default none. */
  prefix?: string;
  /** Keep documents in this directory (journal + snapshot per document). Default: memory only. */
  dataDir?: string;
  /** When journal writes are fsynced, with `dataDir`. Default `always`. */
  fsync?: FsyncPolicy;
  /** Serve this directory over HTTP on the same port (own server only). */
  staticDir?: string;
  /** Who may connect. Default: everyone may write. */
  authenticate?: Authenticate;
  /** Allowed `Origin` values (`https://app.example.com`). Default: any. */
  origins?: readonly string[];
  /** Where logs go. Default: JSON lines on stderr at `logLevel`. */
  logger?: Logger;
  /** Level of the default logger. Default `warn`. */
  logLevel?: LogLevel;
  /** Also export Node.js process metrics (`varstream_process_*`, `varstream_nodejs_*`). Default false. */
  defaultMetrics?: boolean;
  /** Object keys refused in paths. Default `__proto__`, `constructor`, `prototype`. */
  unsafeKeys?: readonly string[];
  /** First revision of a document that has no state (the CLI's `--init`). */
  init?: InitialState;
  /**
   * Serve documents from Redis (`redis://host:6379`): any number of servers
   * with the same `redis` (and the same limits) serve the same documents,
   * each change applied in one order everywhere. See the README. Not with `dataDir`.
   */
  redis?: string;
}

export interface ResolvedOptions {
  readonly limits: Readonly<ServerLimits>;
  readonly server: HttpServer | HttpsServer | undefined;
  readonly port: number;
  readonly host: string;
  readonly prefix: string;
  readonly dataDir: string | undefined;
  readonly fsync: FsyncPolicy;
  readonly staticDir: string | undefined;
  readonly authenticate: Authenticate | undefined;
  readonly origins: ReadonlySet<string> | undefined;
  readonly logger: Logger;
  readonly defaultMetrics: boolean;
  readonly unsafeKeys: ReadonlySet<string>;
  readonly init: InitialState | undefined;
  readonly redis: string | undefined;
}

function bad(message: string): ServerError {
  return new ServerError('BAD_OPTION', message);
}

export function resolveOptions(options: VarStreamServerOptions): ResolvedOptions {
  const limits: ServerLimits = { ...serverDefaults };
  for (const key of Object.keys(serverDefaults) as (keyof ServerLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value <= 0) {
      throw bad(`${key} must be a positive number (got ${String(value)})`);
    }
    limits[key] = value;
  }
  if (limits.maxTreeDepth < limits.maxPathDepth) {
    throw bad(
      `maxTreeDepth (${limits.maxTreeDepth}) must be at least maxPathDepth (${limits.maxPathDepth})`,
    );
  }
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw bad(`Bad port ${port}`);
  const prefix = options.prefix ?? '';
  if (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/'))) {
    throw bad('prefix must start with "/" and not end with it (like "/sync")');
  }
  const fsync = options.fsync ?? 'always';
  if (!isFsyncPolicy(fsync)) throw bad(`fsync must be always, interval or never (got ${fsync})`);
  if (options.redis !== undefined) {
    if (!/^rediss?:\/\//.test(options.redis)) {
      throw bad(`redis must be a redis:// or rediss:// URL (got ${options.redis})`);
    }
    if (options.dataDir !== undefined) {
      throw bad('redis and dataDir do not go together: with redis, Redis keeps the documents');
    }
  }
  if (options.server !== undefined && options.staticDir !== undefined) {
    throw bad('staticDir needs the server to own its HTTP server (no `server` option)');
  }
  return {
    limits: Object.freeze(limits),
    server: options.server,
    port,
    host: options.host ?? '127.0.0.1',
    prefix,
    dataDir: options.dataDir,
    fsync,
    staticDir: options.staticDir,
    authenticate: options.authenticate,
    origins:
      options.origins === undefined ? undefined : new Set(options.origins.map(normalizeOrigin)),
    logger: options.logger ?? createLogger({ level: options.logLevel ?? 'warn' }),
    defaultMetrics: options.defaultMetrics === true,
    unsafeKeys: new Set(options.unsafeKeys ?? defaultUnsafeKeys),
    init: options.init,
    redis: options.redis,
  };
}

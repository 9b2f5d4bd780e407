import { parseArgs } from 'node:util';
import { parsePath } from '@varstream/varstream';
import { isLogLevel, type LogLevel } from '../log/logger.js';
import { type FsyncPolicy, isFsyncPolicy } from '../storage/fsync-policy.js';

export interface CliOptions {
  readonly host: string;
  readonly port: number;
  readonly data: string | undefined;
  readonly static: string | undefined;
  readonly fsync: FsyncPolicy;
  readonly init: string | undefined;
  readonly initPath: string | undefined;
  readonly stdio: boolean;
  readonly logLevel: LogLevel;
  readonly origins: string[] | undefined;
  readonly redis: string | undefined;
  /** Local processes serving on one port (node:cluster); 1: this process alone. */
  readonly workers: number;
  readonly help: boolean;
}

export const USAGE = `Usage: varstream-server [options]

Keeps one tree of variables per document in sync between WebSocket clients
(ws://host:port/<document>, / is the document "default").

Options:
  --host <host>         interface to listen on (default 127.0.0.1)
  --port <port>         port, 0 for any free port (default 8080)
  --data <dir>          keep documents on disk in <dir> (journal + snapshots)
  --fsync <policy>      with --data: always | interval | never (default always)
  --static <dir>        serve a built web app from <dir> on the same port
  --init <file>         VarStream file: initial state of the default document
                        when it has no state yet (UTF-8)
  --init-path <path>    where --init puts it (default: the root), e.g. form
  --origin <origin>     allowed Origin (repeat for several; default: any)
  --redis <url>         serve documents from Redis (redis://host:6379): any
                        number of servers with the same URL serve the same
                        documents (not with --data)
  --workers <n>         with --redis: run <n> server processes on one port
  --stdio               echo every change to stdout; apply VarStream from stdin
  --log-level <level>   debug | info | warn | error | silent (default warn)
  -h, --help            this help
`;

export class UsageError extends Error {}

export function parseCli(argv: readonly string[]): CliOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // Digits only: Number() also takes '', ' 80', '0x10' and '1e3' (and '' is 0, any port).
  const port =
    values.port === undefined ? 8080 : /^\d{1,5}$/.test(values.port) ? Number(values.port) : -1;
  if (port < 0 || port > 65535) {
    throw new UsageError(`--port: not a port number: ${values.port}`);
  }
  const fsync = values.fsync ?? 'always';
  if (!isFsyncPolicy(fsync))
    throw new UsageError(`--fsync: always, interval or never (got ${fsync})`);
  const logLevel = values['log-level'] ?? 'warn';
  if (!isLogLevel(logLevel)) throw new UsageError(`--log-level: unknown level ${logLevel}`);
  const workers =
    values.workers === undefined
      ? 1
      : /^\d{1,3}$/.test(values.workers)
        ? Number(values.workers)
        : 0;
  if (workers < 1 || workers > 256) {
    throw new UsageError(`--workers: a number of processes from 1 to 256 (got ${values.workers})`);
  }
  if (values.redis !== undefined && !/^rediss?:\/\//.test(values.redis)) {
    throw new UsageError(`--redis: a redis:// or rediss:// URL (got ${values.redis})`);
  }
  if (workers > 1 && values.redis === undefined) {
    throw new UsageError('--workers needs --redis: the processes share documents through Redis');
  }
  if (values.redis !== undefined && values.data !== undefined) {
    throw new UsageError(
      '--redis and --data do not go together: with --redis, Redis keeps the documents',
    );
  }
  if (values['init-path'] !== undefined && values.init === undefined) {
    throw new UsageError('--init-path needs --init');
  }
  if (values['init-path'] !== undefined) checkPath('--init-path', values['init-path']);
  return {
    host: values.host ?? '127.0.0.1',
    port,
    data: values.data,
    static: values.static,
    fsync,
    init: values.init,
    initPath: values['init-path'],
    stdio: values.stdio === true,
    logLevel,
    origins: values.origin,
    redis: values.redis,
    workers,
    help: values.help === true,
  };
}

/** A VarStream path (`form`, `a.b`), or a UsageError saying what is wrong with it. */
function checkPath(flag: string, text: string): void {
  try {
    parsePath(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      static: { type: 'string' },
      fsync: { type: 'string' },
      init: { type: 'string' },
      'init-path': { type: 'string' },
      origin: { type: 'string', multiple: true },
      redis: { type: 'string' },
      workers: { type: 'string' },
      stdio: { type: 'boolean' },
      'log-level': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

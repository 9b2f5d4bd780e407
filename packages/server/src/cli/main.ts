#!/usr/bin/env node
import cluster from 'node:cluster';
import { readFile, stat } from 'node:fs/promises';
import { VarStreamError } from '@varstream/varstream';
import { isServerError } from '../errors.js';
import { createLogger, type Logger } from '../log/logger.js';
import type { VarStreamServerOptions } from '../options/options.js';
import { VarStreamServer } from '../server/varstream-server.js';
import { startStdioBridge } from '../stdio/stdio-bridge.js';
import { describeFileError } from '../storage/file-error.js';
import { type CliOptions, parseCli, USAGE, UsageError } from './args.js';
import { describeListenError } from './listen-error.js';
import { runWorkers } from './workers.js';

async function main(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`varstream-server: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.static !== undefined && !(await isDirectory(options.static))) {
    process.stderr.write(`varstream-server: --static: not a directory: ${options.static}\n`);
    return 2;
  }
  if (options.data !== undefined && (await isFile(options.data))) {
    process.stderr.write(`varstream-server: --data: not a directory: ${options.data}\n`);
    return 2;
  }
  let initText: string | undefined;
  if (options.init !== undefined) {
    try {
      initText = await readFile(options.init, 'utf8');
    } catch (err) {
      process.stderr.write(
        `varstream-server: --init: cannot read ${options.init}: ${describeFileError(err)}\n`,
      );
      return 2;
    }
  }
  const logger = createLogger({ level: options.logLevel });
  if (options.workers > 1 && cluster.isPrimary) {
    if (options.stdio) {
      process.stderr.write('varstream-server: --stdio needs one process (no --workers)\n');
      return 2;
    }
    return runWorkers(options.workers, logger, options.stdio);
  }
  let server: VarStreamServer;
  try {
    server = new VarStreamServer(serverOptions(options, initText, logger));
  } catch (err) {
    const failure = describeInitError(err, options.init);
    if (failure === undefined) throw err;
    process.stderr.write(`varstream-server: ${failure}\n`);
    return 1;
  }
  try {
    await server.listen();
  } catch (err) {
    if (isServerError(err) && err.code === 'DATA_DIR') {
      process.stderr.write(`varstream-server: --data: ${err.message}\n`);
      return 2;
    }
    const text = describeListenError(err, options.host, options.port);
    if (text === undefined) throw err;
    process.stderr.write(`varstream-server: ${text}\n`);
    return 1;
  }
  if (initText !== undefined) await server.open('default'); // load it now: errors show at start
  const url = server.url;
  const banner = `varstream-server listening on ${url} (http: ${url.replace(/^ws/, 'http')})\n`;
  if (cluster.isWorker) {
    process.send?.({ banner }); // the primary prints it once
  } else {
    // With --stdio, stdout is the document's VarStream: the banner goes to stderr.
    (options.stdio ? process.stderr : process.stdout).write(banner);
  }
  logger.info('listening', { url, data: options.data, fsync: options.fsync });
  const stopStdio = options.stdio ? startStdioBridge(server, { logger }) : undefined;

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      logger.info('shutting down', { signal });
      stopStdio?.();
      server.close().then(
        () => resolve(0),
        (err: unknown) => {
          logger.error('shutdown failed', { error: err });
          resolve(1);
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function serverOptions(
  options: CliOptions,
  initText: string | undefined,
  logger: Logger,
): VarStreamServerOptions {
  return {
    host: options.host,
    port: options.port,
    dataDir: options.data,
    fsync: options.fsync,
    staticDir: options.static,
    origins: options.origins,
    redis: options.redis,
    logger,
    defaultMetrics: true,
    ...(initText === undefined
      ? {}
      : {
          init: {
            text: initText,
            ...(options.initPath === undefined ? {} : { path: options.initPath }),
          },
        }),
  };
}

/**
 * An `--init` file that is not valid VarStream: the file, then where in it
 * (line, column) and what (the codec's code); undefined for other errors.
 */
function describeInitError(err: unknown, file: string | undefined): string | undefined {
  const bad = isServerError(err) && err.code === 'INIT_FAILED' ? err.cause : undefined;
  return bad instanceof VarStreamError ? `--init ${file}: ${bad.message} (${bad.code})` : undefined;
}

/**
 * One line for the errors a user can act on (a bad --init file, a port in
 * use, a data directory that cannot be written); the stack for anything else,
 * which is a bug.
 */
function describeFatal(err: unknown): string {
  if (isServerError(err)) return `${err.message} (${err.code})`;
  if (err instanceof Error && 'syscall' in err) return err.message;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** True when `path` exists and is not a directory. */
async function isFile(path: string): Promise<boolean> {
  try {
    return !(await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Let stdout drain, then leave even if a handle lingers.
    setImmediate(() => process.exit(code)).unref();
  },
  (err: unknown) => {
    process.stderr.write(`varstream-server: ${describeFatal(err)}\n`);
    process.exit(1);
  },
);

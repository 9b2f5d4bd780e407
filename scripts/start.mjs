#!/usr/bin/env node
// `pnpm start` (after `pnpm build`): the built demo served by the real sync
// server on one port, `varstream-server --static apps/collab-form/dist --data .data`.
// PORT (default 8787), HOST (default 127.0.0.1; 0.0.0.0 to let others on your
// network join), VARSTREAM_DATA (default .data).
import { join, resolve } from 'node:path';
import {
  APP_DIR,
  banner,
  bold,
  cyan,
  dim,
  ensureFile,
  ensurePortFree,
  env,
  magenta,
  originArgs,
  portFromEnv,
  ROOT,
  SEED,
  SERVER_CLI,
  startChild,
  supervisor,
  waitForLine,
} from './lib/processes.mjs';

const port = portFromEnv('PORT', 8787);
const host = env('HOST') ?? '127.0.0.1';
const dataDir = resolve(ROOT, env('VARSTREAM_DATA') ?? '.data');
const dist = join(APP_DIR, 'dist');

ensureFile(SERVER_CLI, 'run `pnpm build` first');
ensureFile(join(dist, 'index.html'), 'run `pnpm build` first');
await ensurePortFree(port, host, 'PORT');

const children = supervisor();
const server = children.add(
  startChild('server', magenta, SERVER_CLI, [
    '--host',
    host,
    '--port',
    String(port),
    '--data',
    dataDir,
    '--static',
    dist,
    '--init',
    SEED,
    '--init-path',
    'form',
    '--log-level',
    env('VARSTREAM_LOG_LEVEL') ?? 'info',
    ...originArgs(host, port),
  ]),
);

try {
  await waitForLine(server, /listening on ws:\/\/\S+/);
} catch (err) {
  await children.stop(`error: ${err.message}`);
}
const shown =
  host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
const url = `http://${shown}:${port}/`;
banner([
  `${bold('varstream collab-form')}`,
  '',
  `Open ${bold(cyan(url))} in two windows and type.`,
  '',
  dim(`data  ${dataDir}`),
  dim('Ctrl-C stops the server.'),
]);

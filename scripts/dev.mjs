#!/usr/bin/env node
// `pnpm dev`: the sync server and the demo's Vite dev server, together.
//
//   browser ──http──▶ Vite (VITE_PORT, default 5173) ── ws / ──▶ varstream-server (VARSTREAM_PORT, default 8787)
//
// The page connects to ws://<its own host>/, which Vite proxies to the sync
// server, so one URL works (and the same URL works with `pnpm start`). The
// default document is kept in .data/ (VARSTREAM_DATA), so a restart keeps the
// form; on the very first run it is seeded with the 2013 demo's saved form.
// Ctrl-C stops both; if either dies, the other is stopped too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  APP_DIR,
  banner,
  bold,
  cyan,
  dim,
  ensureFile,
  ensurePortFree,
  env,
  fail,
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

const serverPort = portFromEnv('VARSTREAM_PORT', 8787);
const vitePort = portFromEnv('VITE_PORT', 5173);
const host = env('HOST') ?? 'localhost';
const dataDir = resolve(ROOT, env('VARSTREAM_DATA') ?? '.data');

await ensurePortFree(serverPort, '127.0.0.1', 'VARSTREAM_PORT');
await ensurePortFree(vitePort, host, 'VITE_PORT');

// The server runs from its build output: build it (and what it depends on)
// if needed. Turbo's cache makes this quick when nothing changed. The app
// itself is served from source by Vite.
// VARSTREAM_SKIP_BUILD=1 skips it (the tests, which run after `pnpm build`).
if (env('VARSTREAM_SKIP_BUILD') !== '1') {
  process.stdout.write(dim('Building @varstream/server (cached when unchanged)…\n'));
  const turbo = join(ROOT, 'node_modules/.bin/turbo');
  const built = spawnSync(
    turbo,
    ['run', 'build', '--filter=@varstream/server', '--output-logs=errors-only'],
    {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      shell: process.platform === 'win32',
    },
  );
  if (built.error) fail(`could not run turbo (${built.error.message}); run \`pnpm install\` first`);
  if (built.status !== 0) fail('building @varstream/server failed (see above)');
}
ensureFile(SERVER_CLI, 'run `pnpm build` first');

const children = supervisor();
const server = children.add(
  startChild('server', magenta, SERVER_CLI, [
    '--host',
    '127.0.0.1',
    '--port',
    String(serverPort),
    '--data',
    dataDir,
    '--init',
    SEED,
    '--init-path',
    'form',
    '--log-level',
    env('VARSTREAM_LOG_LEVEL') ?? 'info',
    // The page's Origin is Vite's (the proxy passes it on).
    ...originArgs(host, vitePort),
  ]),
);

try {
  await waitForLine(server, /listening on (ws:\/\/\S+)/);
} catch (err) {
  await children.stop(`error: ${err.message}`);
}

const vitePkg = createRequire(join(APP_DIR, 'package.json')).resolve('vite/package.json');
const viteBin = join(dirname(vitePkg), JSON.parse(readFileSync(vitePkg, 'utf8')).bin.vite);
const vite = children.add(
  startChild('vite', cyan, viteBin, ['--clearScreen', 'false'], {
    cwd: APP_DIR,
    env: { VARSTREAM_PORT: String(serverPort), VITE_PORT: String(vitePort), HOST: host },
  }),
);

let url;
try {
  const m = await waitForLine(vite, /Local:\s+(https?:\/\/\S+)/);
  url = m[1];
} catch (err) {
  await children.stop(`error: ${err.message}`);
}

banner([
  `${bold('varstream collab-form')} (dev)`,
  '',
  `Open ${bold(cyan(url))} in two windows and type.`,
  '',
  dim(
    `sync server  ws://127.0.0.1:${serverPort}/ (proxied by Vite at ${url.replace(/^http/, 'ws')})`,
  ),
  dim(`data         ${dataDir}`),
  dim('Ctrl-C stops both.'),
]);

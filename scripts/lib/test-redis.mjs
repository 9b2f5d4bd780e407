// A redis-server of a test's own (server and client suites share it): on
// 127.0.0.1 and a free port, its data in a temporary directory.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Resolves once `condition()` holds (checked every 5 ms); rejects after `timeoutMs`. */
async function until(condition, label, timeoutMs) {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A free TCP port on 127.0.0.1 (listened on, then released). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** redis-server's arguments: 127.0.0.1 only, no RDB saves, durable append-only file in `dir`. */
export function redisServerArgs(port, dir, fsync = 'always') {
  return [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    fsync,
    '--dir',
    dir,
  ];
}

async function launch(port, dir) {
  const child = spawn('redis-server', redisServerArgs(port, dir), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    out += chunk;
  });
  child.stderr.resume();
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.on('error', (err) => {
    exited = true;
    out += `${err.message} (install redis-server: scripts/setup.sh)`;
  });
  await until(() => out.includes('Ready to accept connections') || exited, 'redis-server', 15_000);
  if (exited) throw new Error(`redis-server did not start:\n${out}`);
  return child;
}

/** Starts one; see test-redis.d.mts. */
export async function startRedis() {
  const dir = await mkdtemp(join(tmpdir(), 'varstream-redis-'));
  const port = await freePort();
  let child = await launch(port, dir);
  const stop = async (crash = false) => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(crash ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart({ empty = false } = {}) {
      await stop();
      if (empty) {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir);
      }
      child = await launch(port, dir);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async remove() {
      await stop(true);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRedis, type TestRedis } from '../../../../scripts/lib/test-redis.mjs';
import { connect, type VarStreamDocument } from '../../src/index.js';
import { until } from '../helpers/wait.js';

// The client against server processes sharing documents through a Redis of
// the test's own (127.0.0.1, a free port), under faults: a server killed
// with -9 and started again on its port, Redis stopped and started again.
let redis: TestRedis;
const nodes: RunningNode[] = [];
const open: { close(): void }[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});
afterEach(async () => {
  for (const doc of open.splice(0)) doc.close();
  for (const n of nodes.splice(0)) await n.kill('SIGTERM');
});

const CLI = join(
  dirname(createRequire(import.meta.url).resolve('@varstream/server/package.json')),
  'dist',
  'cli',
  'main.js',
);

interface RunningNode {
  readonly port: number;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
}

/** A `varstream-server --redis` process on 127.0.0.1 (`port` 0: any free one). */
async function startNode(port = 0): Promise<RunningNode> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      CLI,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--redis',
      redis.url,
      '--log-level',
      'error',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const collect = (chunk: string) => {
    out += chunk;
  };
  child.stdout!.setEncoding('utf8').on('data', collect);
  child.stderr!.setEncoding('utf8').on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  const banner = /listening on ws:\/\/127\.0\.0\.1:(\d+)\//;
  await until(() => banner.test(out) || exited, 'the server to listen', 15_000);
  const match = banner.exec(out);
  if (match === null) throw new Error(`The server did not start:\n${out}`);
  const running: RunningNode = {
    port: Number(match[1]),
    async kill(signal) {
      if (!exited) child.kill(signal);
      await exit;
    },
  };
  nodes.push(running);
  return running;
}

interface Log {
  log?: string[];
  own?: Record<string, number>;
}

function writer(port: number, doc: string): VarStreamDocument<Log> {
  const handle = connect<Log>(`ws://127.0.0.1:${port}/${doc}`, {
    WebSocket,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  open.push(handle);
  return handle;
}

/** Every client synced and holding the same tree; returns it. */
async function converged(clients: readonly VarStreamDocument<Log>[]): Promise<Log> {
  await Promise.all(clients.map((c) => c.whenSynced()));
  await until(
    () => clients.every((c) => c.rev === clients[0]!.rev && c.pending === 0),
    'every client at one revision',
    30_000,
  );
  const tree = clients[0]!.get([]) as Log;
  for (const c of clients) expect(c.get([])).toEqual(tree);
  return tree;
}

describe('servers on Redis under faults', () => {
  it('three servers, two writers on each; one server killed with -9 mid-load and started again on its port: every change lands once, every client holds the same tree', async () => {
    const doc = `k${process.pid}-${Date.now().toString(36)}`;
    const servers = [await startNode(), await startNode(), await startNode()];
    const clients = servers.flatMap((s) => [writer(s.port, doc), writer(s.port, doc)]);
    const rejected: string[] = [];
    for (const c of clients) c.on('reject', (r) => rejected.push(`${r.id} ${r.code}`));
    await Promise.all(clients.map((c) => c.whenSynced()));
    const sent: string[] = [];
    const rounds = 30;
    for (let round = 0; round < rounds; round++) {
      for (const c of clients) {
        sent.push(c.push(['log'], `${c.clientId}:${round}`));
        c.set(['own', c.clientId], round);
      }
      if (round === 10) await servers[1]!.kill('SIGKILL');
      if (round === 20) servers[1] = await startNode(servers[1]!.port);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const tree = await converged(clients);
    expect(rejected).toEqual([]);
    expect([...(tree.log ?? [])].sort()).toEqual(
      clients.flatMap((c) => Array.from({ length: rounds }, (_, r) => `${c.clientId}:${r}`)).sort(),
    );
    for (const c of clients) expect(tree.own?.[c.clientId]).toBe(rounds - 1);
    expect(sent).toHaveLength(rounds * clients.length);
  });

  it.each([
    ['stopped for a moment and started again with its data', false],
    ['restarted empty (it lost every document)', true],
  ])(
    'Redis %s while writers on three servers write: every change lands once, every client holds the same tree',
    async (_, empty) => {
      const doc = `r${process.pid}-${Date.now().toString(36)}-${empty ? 'e' : 'd'}`;
      const servers = [await startNode(), await startNode(), await startNode()];
      const clients = servers.flatMap((s) => [writer(s.port, doc), writer(s.port, doc)]);
      const rejected: string[] = [];
      for (const c of clients) c.on('reject', (r) => rejected.push(`${r.id} ${r.code}`));
      await Promise.all(clients.map((c) => c.whenSynced()));
      const rounds = 30;
      for (let round = 0; round < rounds; round++) {
        for (const c of clients) {
          c.push(['log'], `${c.clientId}:${round}`);
          c.set(['own', c.clientId], round);
        }
        if (round === 10) await redis.stop(true);
        if (round === 20) await redis.restart({ empty });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const tree = await converged(clients);
      expect(rejected).toEqual([]);
      expect([...(tree.log ?? [])].sort()).toEqual(
        clients
          .flatMap((c) => Array.from({ length: rounds }, (_, r) => `${c.clientId}:${r}`))
          .sort(),
      );
      for (const c of clients) expect(tree.own?.[c.clientId]).toBe(rounds - 1);
    },
  );
});

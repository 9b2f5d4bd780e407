import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createConnection } from 'node:net';
import { dirname, join } from 'node:path';
import type { Authenticate, VarStreamServer } from '@varstream/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startRedis, type TestRedis } from '../../../../scripts/lib/test-redis.mjs';
import { connect, type VarStreamDocument } from '../../src/index.js';
import { watchReplica as watched } from '../helpers/quiescence.js';
import { startServer } from '../helpers/real-server.js';
import { startSlowLink } from '../helpers/slow-link.js';
import { until } from '../helpers/wait.js';

// The client against server processes sharing documents through a Redis of
// the test's own (127.0.0.1, a free port), under faults: a server killed
// with -9 and started again on its port, Redis stopped and started again.
/**
 * A hang detector for these tests (processes and Redis restarted, writers
 * reconnecting with backoff): seconds here, many times that on a loaded machine.
 */
const FAULT_TEST_MS = 120_000;
let redis: TestRedis;
const nodes: RunningNode[] = [];
const open: { close(): void }[] = [];
const inProcess: VarStreamServer[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});
afterEach(async () => {
  for (const doc of open.splice(0)) doc.close();
  for (const n of nodes.splice(0)) await n.kill('SIGTERM');
  await Promise.all(inProcess.splice(0).map((s) => s.close()));
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
    60_000,
  );
  const tree = clients[0]!.get([]) as Log;
  for (const c of clients) expect(c.get([])).toEqual(tree);
  return tree;
}

/**
 * Two writers on each server write 30 rounds (an element appended to `log`,
 * their own counter set), with `at10` and `at20` done after rounds 10 and
 * 20; then every change landed once, nothing was refused, and every client
 * holds the same tree, each counter at its last round.
 */
async function writeThroughFault(
  servers: readonly RunningNode[],
  doc: string,
  fault: { at10(): Promise<void>; at20(): Promise<void> },
): Promise<void> {
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
    if (round === 10) await fault.at10();
    if (round === 20) await fault.at20();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const tree = await converged(clients);
  expect(rejected).toEqual([]);
  expect([...(tree.log ?? [])].sort()).toEqual(
    clients.flatMap((c) => Array.from({ length: rounds }, (_, r) => `${c.clientId}:${r}`)).sort(),
  );
  for (const c of clients) expect(tree.own?.[c.clientId]).toBe(rounds - 1);
}

/** FLUSHALL, spoken to Redis over a socket of its own (Redis loses every document). */
async function flushRedis(): Promise<void> {
  const socket = createConnection(redis.port, '127.0.0.1');
  try {
    const reply = new Promise<string>((resolve, reject) => {
      socket.once('data', (data) => resolve(data.toString()));
      socket.once('error', reject);
    });
    socket.write('FLUSHALL\r\n');
    expect(await reply).toBe('+OK\r\n');
  } finally {
    socket.destroy();
  }
}

interface Typing {
  readonly typists: VarStreamDocument[];
  /** Every character typed, each once. */
  readonly typed: string[];
  readonly rejected: string[];
}

/**
 * `perServer` typists on each document URL type 30 rounds into the field
 * `t`, one new character each per round at a random place (a fixed seed),
 * `between(round)` awaited after each round (the fault, and the pace).
 */
async function typeThroughFault(
  urls: readonly string[],
  perServer: number,
  between: (round: number) => Promise<void>,
): Promise<Typing> {
  const typists = urls.flatMap((url) =>
    Array.from({ length: perServer }, () => {
      const handle = watched(connect(url, { WebSocket, backoff: { baseMs: 20, maxMs: 200 } }));
      open.push(handle);
      return handle;
    }),
  );
  const rejected: string[] = [];
  for (const c of typists) c.on('reject', (r) => rejected.push(`${r.id} ${r.code}: ${r.message}`));
  await Promise.all(typists.map((c) => c.whenSynced()));
  typists[0]!.set(['t'], '');
  await until(() => typists.every((c) => c.get(['t']) === ''), 'every typist holding the field');
  let state = 7;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  let next = 0x4e00;
  const typed: string[] = [];
  for (let round = 0; round < 30; round++) {
    for (const c of typists) {
      const text = String(c.get(['t']) ?? '');
      const ch = String.fromCharCode(next++);
      typed.push(ch);
      c.splice(['t'], Math.floor(random() * (text.length + 1)), 0, ch);
    }
    await between(round);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return { typists, typed, rejected };
}

/**
 * Every typist settles at one revision (with every in-process server), nothing
 * was refused, every server holds the same document byte for byte, and the
 * text holds each character typed once.
 */
async function typedOnceEverywhere(
  { typists, typed, rejected }: Typing,
  servers: readonly VarStreamServer[],
  doc: string,
): Promise<void> {
  await Promise.all(typists.map((c) => c.whenSynced()));
  await until(
    () => {
      const revs = [
        ...servers.map((s) => s.document(doc)?.rev ?? -1),
        ...typists.map((c) => c.rev),
      ];
      return revs.every((r) => r === revs[0]) && typists.every((c) => c.pending === 0);
    },
    'every server and client at one revision',
    60_000,
  );
  expect(rejected).toEqual([]);
  const bytes = servers.map((s) => s.document(doc)!.snapshot());
  for (const copy of bytes) expect(copy).toBe(bytes[0]);
  const text = String(typists[0]!.get(['t']));
  for (const c of typists) expect(c.get(['t'])).toBe(text);
  expect([...text].sort()).toEqual([...typed].sort());
}

describe('servers on Redis under faults', () => {
  it(
    'three servers, two writers on each; one server killed with -9 mid-load and started again on its port: every change lands once, every client holds the same tree',
    async () => {
      const doc = `k${process.pid}-${Date.now().toString(36)}`;
      const servers = [await startNode(), await startNode(), await startNode()];
      await writeThroughFault(servers, doc, {
        at10: () => servers[1]!.kill('SIGKILL'),
        at20: async () => {
          servers[1] = await startNode(servers[1]!.port);
        },
      });
    },
    FAULT_TEST_MS,
  );

  it.each([
    ['stopped for a moment and started again with its data', false],
    ['restarted empty (it lost every document)', true],
  ])(
    'Redis %s while writers on three servers write: every change lands once, every client holds the same tree',
    async (_, empty) => {
      const doc = `r${process.pid}-${Date.now().toString(36)}-${empty ? 'e' : 'd'}`;
      const servers = [await startNode(), await startNode(), await startNode()];
      await writeThroughFault(servers, doc, {
        at10: () => redis.stop(true),
        at20: () => redis.restart({ empty }),
      });
    },
    FAULT_TEST_MS,
  );

  it(
    'text merge and scopes across three servers: concurrent splices of one field by scoped writers and a hostile writer on different servers; every server holds the same document byte for byte',
    async () => {
      const doc = `s${process.pid}-${Date.now().toString(36)}`;
      const authenticate: Authenticate = ({ token }) =>
        token === 'form' ? { access: 'write', scope: ['form'] } : { access: 'write' };
      const servers = await Promise.all(
        [0, 1, 2].map(() => startServer({ redis: redis.url, authenticate })),
      );
      inProcess.push(...servers);
      await servers[0]!.write(doc, 'form.t=""\nsecret=1\n');
      let state = 12_345;
      const random = () => {
        state = (state * 1_103_515_245 + 12_345) >>> 0;
        return state / 2 ** 32;
      };
      const scoped = (server: VarStreamServer) => {
        const handle = watched(
          connect(`${server.url}${doc}`, {
            WebSocket,
            token: 'form',
            backoff: { baseMs: 20, maxMs: 200 },
          }),
        );
        open.push(handle);
        return handle;
      };
      const typists = servers.map(scoped);
      const hostile = scoped(servers[1]!);
      const refused: string[] = [];
      hostile.on('reject', (r) => refused.push(r.code));
      await Promise.all([...typists, hostile].map((c) => c.whenSynced()));
      let next = 0x4e00;
      const typed: string[] = [];
      for (let round = 0; round < 40; round++) {
        for (const t of typists) {
          const text = String(t.get(['form', 't']) ?? '');
          if (random() < 0.8 || text.length === 0) {
            const ch = String.fromCharCode(next++);
            typed.push(ch);
            t.splice(['form', 't'], Math.floor(random() * (text.length + 1)), 0, ch);
          } else {
            const at = Math.floor(random() * text.length);
            t.splice(['form', 't'], at, Math.min(1 + Math.floor(random() * 2), text.length - at));
          }
        }
        if (round % 10 === 5) {
          // Outside its scope (alone, or after a statement inside it): refused on every server alike.
          hostile.applyText('secret=2\n');
          hostile.applyText('form.t=""\nsecret=3\n');
        }
        await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 4)));
      }
      const all = [...typists, hostile];
      await Promise.all(all.map((c) => c.whenSynced()));
      await until(
        () => {
          const revs = servers.map((s) => s.document(doc)?.rev ?? -1);
          return (
            revs.every((r) => r === revs[0]) &&
            all.every((c) => c.rev === revs[0] && c.pending === 0)
          );
        },
        'every server and client at one revision',
        30_000,
      );
      const bytes = servers[0]!.document(doc)!.snapshot();
      for (const s of servers) expect(s.document(doc)!.snapshot()).toBe(bytes);
      const root = servers[0]!.document(doc)!.root as { secret: number; form: { t: string } };
      for (const c of all) expect(c.get([])).toEqual(root);
      expect(root.secret).toBe(1);
      expect(refused).toEqual(Array(8).fill('FORBIDDEN'));
      // Every character there was typed, and none appears twice.
      const final = root.form.t;
      expect(new Set(final).size).toBe(final.length);
      for (const ch of final) expect(typed).toContain(ch);
    },
    FAULT_TEST_MS,
  );

  it.each([
    ['stopped and started again with its data', false],
    ['restarted empty (it lost every document)', true],
    ['frozen (SIGSTOP) longer than redisCommandTimeoutMs', undefined],
  ])(
    'text typed into one field by two typists on each of three servers while Redis is %s: every character typed is there once, every server and client holds the same text',
    async (_, empty) => {
      const doc = `t${process.pid}-${Date.now().toString(36)}-${String(empty)}`;
      const servers = await Promise.all(
        [0, 1, 2].map(() => startServer({ redis: redis.url, redisCommandTimeoutMs: 500 })),
      );
      inProcess.push(...servers);
      try {
        const typing = await typeThroughFault(
          servers.map((s) => `${s.url}${doc}`),
          2,
          async (round) => {
            if (round === 10) {
              if (empty === undefined) redis.pause();
              else await redis.stop(true);
            }
            if (round !== 20) return;
            if (empty !== undefined) return redis.restart({ empty });
            // Long enough for the appends sent meanwhile to time out (and be stored later).
            await new Promise((resolve) => setTimeout(resolve, 1_500));
            redis.resume();
          },
        );
        await typedOnceEverywhere(typing, servers, doc);
      } finally {
        redis.resume();
      }
    },
    FAULT_TEST_MS,
  );

  it(
    'text typed by three typists on each of two servers, one of them reaching Redis over a slow network (each chunk delayed up to 900 ms, past redisCommandTimeoutMs at times): every character typed lands once, both servers and every client hold the same text',
    async () => {
      const doc = `n${process.pid}-${Date.now().toString(36)}`;
      const link = await startSlowLink(redis.port);
      try {
        const servers = await Promise.all([
          startServer({ redis: redis.url, redisCommandTimeoutMs: 500 }),
          startServer({ redis: `redis://127.0.0.1:${link.port}`, redisCommandTimeoutMs: 500 }),
        ]);
        inProcess.push(...servers);
        let state = 11;
        const typing = await typeThroughFault(
          servers.map((s) => `${s.url}${doc}`),
          3,
          async (round) => {
            state = (state * 1_103_515_245 + 12_345) >>> 0;
            link.delayMs = round < 10 || round >= 25 ? 0 : Math.floor((state / 2 ** 32) * 900);
            await new Promise((resolve) => setTimeout(resolve, 15));
          },
        );
        link.delayMs = 0;
        await typedOnceEverywhere(typing, servers, doc);
      } finally {
        await link.close();
      }
    },
    FAULT_TEST_MS,
  );

  it(
    'text typed into one field by two typists on each of three servers; one server killed with -9 mid-typing and started again on its port: every character typed is there once, every client holds the same text',
    async () => {
      const doc = `kt${process.pid}-${Date.now().toString(36)}`;
      const servers = [await startNode(), await startNode(), await startNode()];
      const typing = await typeThroughFault(
        servers.map((s) => `ws://127.0.0.1:${s.port}/${doc}`),
        2,
        async (round) => {
          if (round === 10) await servers[1]!.kill('SIGKILL');
          if (round === 20) servers[1] = await startNode(servers[1]!.port);
        },
      );
      await typedOnceEverywhere(typing, [], doc);
    },
    FAULT_TEST_MS,
  );

  it(
    "regression: text typed into a document a server created after Redis lost it (FLUSHALL), then replaced by the copy of the server that held it, with what was typed carried over: every character typed there was lost (the splices were transformed against the copy's revisions)",
    async () => {
      const doc = `c${process.pid}-${Date.now().toString(36)}`;
      // `a` holds the document and checks Redis rarely: it learns of the loss at its next append.
      const [a, b] = await Promise.all(
        [0, 1].map(() => startServer({ redis: redis.url, redisNodeTtlMs: 60_000 })),
      );
      inProcess.push(a!, b!);
      const holder = connect(`${a!.url}${doc}`, { WebSocket, backoff: { baseMs: 20, maxMs: 200 } });
      open.push(holder);
      await holder.whenSynced();
      // Ahead of the new history: its first entries do not pass the entry `a` stopped at.
      for (let i = 0; i < 40; i++) holder.set(['n', String(i)], i);
      await holder.whenSynced();
      await flushRedis();
      // `b` had not loaded it: it creates it empty, its typists type there, and `a`'s next change
      // makes `a` give its copy, with their entries carried over.
      const typing = await typeThroughFault([`${b!.url}${doc}`], 2, async (round) => {
        if (round === 6) holder.set(['late'], 1);
      });
      // The holder too ends at the same revision with the same text.
      await typedOnceEverywhere({ ...typing, typists: [...typing.typists, holder] }, [a!, b!], doc);
      expect(holder.get([])).toEqual(typing.typists[0]!.get([]));
      expect(Object.keys(holder.get(['n']) as object)).toHaveLength(40);
    },
    FAULT_TEST_MS,
  );

  it(
    'Redis frozen (SIGSTOP) longer than redisCommandTimeoutMs while writers on two servers write, then running again: every change lands once, every client holds the same tree',
    async () => {
      const doc = `p${process.pid}-${Date.now().toString(36)}`;
      const servers = await Promise.all(
        [0, 1].map(() => startServer({ redis: redis.url, redisCommandTimeoutMs: 500 })),
      );
      inProcess.push(...servers);
      const clients = servers.flatMap((s) => [
        writer(s.address()!.port, doc),
        writer(s.address()!.port, doc),
      ]);
      const rejected: string[] = [];
      for (const c of clients) c.on('reject', (r) => rejected.push(`${r.id} ${r.code}`));
      await Promise.all(clients.map((c) => c.whenSynced()));
      const rounds = 30;
      try {
        for (let round = 0; round < rounds; round++) {
          for (const c of clients) c.push(['log'], `${c.clientId}:${round}`);
          if (round === 10) redis.pause();
          if (round === 20) {
            // Long enough for the appends sent meanwhile to time out.
            await new Promise((resolve) => setTimeout(resolve, 1_500));
            redis.resume();
          }
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      } finally {
        redis.resume();
      }
      const tree = await converged(clients);
      expect(rejected).toEqual([]);
      expect([...(tree.log ?? [])].sort()).toEqual(
        clients
          .flatMap((c) => Array.from({ length: rounds }, (_, r) => `${c.clientId}:${r}`))
          .sort(),
      );
      const bytes = servers[0]!.document(doc)!.snapshot();
      expect(servers[1]!.document(doc)!.snapshot()).toBe(bytes);
    },
    FAULT_TEST_MS,
  );
});

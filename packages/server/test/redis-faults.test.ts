import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../scripts/lib/test-redis.mjs';
import { TestClient } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

// Faults of the Redis a cluster of nodes shares: this file's own redis-server
// (it is flushed and restarted empty here), on 127.0.0.1 and a free port.
let redis: TestRedis;
let docSeq = 0;
const open: { close(): void }[] = [];
const servers: TestServer[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.remove();
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function newDoc(): string {
  return `f${process.pid}-${++docSeq}-${Date.now().toString(36)}`;
}

async function node(options: Parameters<typeof startServer>[0] = {}): Promise<TestServer> {
  const started = await startServer({ redis: redis.url, ...options });
  servers.push(started);
  return started;
}

function client(url: string, options: ConstructorParameters<typeof TestClient>[1] = {}) {
  const c = new TestClient(url, options);
  open.push(c);
  return c;
}

async function flushall(): Promise<void> {
  const direct = new Redis(redis.url);
  try {
    await direct.flushall();
  } finally {
    direct.disconnect();
  }
}

/** The node id a connection id ends with (`c3.n2` is on `n2`). */
function nodeOf(c: TestClient): string {
  return c.conn!.slice(c.conn!.lastIndexOf('.') + 1);
}

function snapshotOf(n: TestServer, doc: string): string | undefined {
  return n.server.document(doc)?.snapshot();
}

describe('Redis lost its data', () => {
  it('regression: a node started after Redis lost its data got the id of a running node (node ids came from a counter Redis lost)', async () => {
    const doc = newDoc();
    const a = await node();
    const ca = client(a.url, { doc });
    await ca.welcome();
    await flushall();
    const b = await node();
    const cb = client(b.url, { doc: newDoc() });
    await cb.welcome();
    expect(nodeOf(cb)).not.toBe(nodeOf(ca));
  });

  it('regression: a node that noticed late that Redis lost a document applied the entries of the new history over its old copy (diverged for good)', async () => {
    const doc = newDoc();
    // `a` checks Redis often; `b` would check only after 20 s (its liveness interval).
    const a = await node({ redisNodeTtlMs: 600 });
    const b = await node({ redisNodeTtlMs: 60_000 });
    const ca = client(a.url, { doc });
    const cb = client(b.url, { doc });
    await Promise.all([ca.welcome(), cb.welcome()]);
    const before = cb.changes(['x=1\n', 'y=1\n', 'z=1\n']);
    await Promise.all(before.map((id) => cb.settled(id)));
    await until(() => a.server.document(doc)?.rev === 3, 'a at revision 3');
    await flushall();
    // `a` gives Redis its copy (new epoch); its client comes back and writes on.
    expect((await ca.closedWith(10_000)).code).toBe(1013);
    const ra = client(a.url, { doc, resume: ca });
    await ra.welcome();
    // One frame (one log entry) each: the new history passes the entry `b` stopped at.
    for (let i = 0; i < 8; i++) {
      const id = ra.change(`after.n${i}=${i}\n`);
      await ra.settled(id);
      expect(ra.acked.has(id)).toBe(true);
    }
    // `b` must follow the history Redis holds now, not stitch it onto its own.
    await until(
      () => snapshotOf(b, doc) === snapshotOf(a, doc) || cb.closed !== undefined,
      'b to converge or to send its clients to the new history',
      10_000,
    );
    if (cb.closed !== undefined) {
      expect(cb.closed.code).toBe(1013);
      const rb = client(b.url, { doc, resume: cb });
      await rb.welcome();
      await rb.atRev(ra.rev);
      expect(rb.epoch).toBe(ra.epoch);
      expect(rb.root).toEqual(ra.root);
    }
    await until(() => snapshotOf(b, doc) === snapshotOf(a, doc), 'equal copies', 10_000);
    expect(b.server.document(doc)!.epoch).toBe(a.server.document(doc)!.epoch);
  });
});

import { formatMeta } from '@varstream/protocol';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../scripts/lib/test-redis.mjs';
import { silentLogger } from '../src/log/logger.js';
import { defaultUnsafeKeys } from '../src/options/defaults.js';
import { decodeEntry, encodeEntry } from '../src/redis/log-entry.js';
import { documentKeys } from '../src/redis/redis-keys.js';
import { RedisLink } from '../src/redis/redis-link.js';
import { encodeReplicaSnapshot, replicaFingerprint } from '../src/redis/replica-snapshot.js';
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

/** A client welcomed on `doc`, trying again while the node is told 1013 (Redis not reachable yet). */
async function welcomed(url: string, doc: string): Promise<TestClient> {
  for (;;) {
    const c = client(url, { doc });
    await until(() => c.welcomed || c.closed !== undefined, 'a welcome or a close', 15_000);
    if (c.welcomed) return c;
    expect(c.closed!.code).toBe(1013);
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

  it('regression: a node that had not loaded the document created it empty after Redis lost it, and the nodes holding it reloaded that empty document (the tree was wiped)', async () => {
    const doc = newDoc();
    // `a` holds the document and would check Redis only after 20 s: it learns from the log.
    const a = await node({ redisNodeTtlMs: 60_000 });
    const ca = client(a.url, { doc });
    await ca.welcome();
    const before = ca.changes(['kept.x=1\n', 'kept.y=2\n']);
    await Promise.all(before.map((id) => ca.settled(id)));
    await flushall();
    // A client of another node opens the document first: that node finds nothing and creates it.
    const c = await node({ redisNodeTtlMs: 60_000 });
    const cc = client(c.url, { doc });
    await cc.welcome();
    expect(cc.root).toEqual({});
    // One entry each: the new log passes the entry `a` stopped at, and `a` reads one of them.
    const early = new Map([
      [cc.change('early=1\n'), 'early=1\n'],
      [cc.change('early2=2\n'), 'early2=2\n'],
    ]);
    await Promise.all([...early.keys()].map((id) => cc.settled(id)));
    expect(cc.acked.has([...early.keys()][0]!)).toBe(true);
    // `a` gives Redis its copy, with what was written meanwhile: both nodes load it.
    await Promise.all([ca.closedWith(10_000), cc.closedWith(10_000)]);
    const ra = client(a.url, { doc, resume: ca });
    const rc = client(c.url, { doc, resume: cc });
    await Promise.all([ra.welcome(), rc.welcome()]);
    // The second may have come after `a` gave its copy: refused (UNAVAILABLE), sent again.
    for (const [id, body] of early) {
      if (cc.acked.has(id)) continue;
      expect(cc.rejected.get(id)!.fields.code).toBe('UNAVAILABLE');
      rc.send(`${formatMeta('change', { id })}\n${body}`);
      await rc.settled(id);
    }
    const late = ra.change('late=1\n');
    await ra.settled(late);
    expect(ra.acked.has(late)).toBe(true);
    await rc.atRev(ra.rev);
    const tree = { kept: { x: 1, y: 2 }, early: 1, early2: 2, late: 1 };
    expect(ra.root).toEqual(tree);
    expect(rc.root).toEqual(tree);
    expect(snapshotOf(c, doc)).toBe(snapshotOf(a, doc));
  });

  it('regression: after Redis lost a document, the copy of the node that had applied the least won (what the others had acknowledged beyond it was lost)', async () => {
    const doc = newDoc();
    const a = await node({ redisNodeTtlMs: 60_000 });
    const ca = client(a.url, { doc });
    await ca.welcome();
    const direct = new Redis(redis.url);
    try {
      // The document as created: entry 0 of its history.
      const [gen, initial] = await direct.hmget(`vs:{${doc}}:snap`, 'gen', 'state');
      const ids = ca.changes(['x=1\n', 'y=2\n']);
      await Promise.all(ids.map((id) => ca.settled(id)));
      await flushall();
      // A node that had applied nothing of it gives Redis its copy (as RedisRegistry does).
      const link = await RedisLink.connect(redis.url, silentLogger, 5_000);
      try {
        expect(await link.recover(documentKeys(doc), Number(gen), 0, initial!)).toBe(true);
      } finally {
        link.close();
      }
    } finally {
      direct.disconnect();
    }
    // `a` had applied more: its next append makes it give its copy, which wins.
    const late = ca.change('late=1\n');
    await ca.settled(late);
    await ca.closedWith(10_000);
    const ra = client(a.url, { doc, resume: ca });
    await ra.welcome();
    const again = ra.change('late=1\n');
    await ra.settled(again);
    expect(ra.root).toEqual({ x: 1, y: 2, late: 1 });
  });

  it('regression: a node unloaded a document its last client left while Redis was down, and Redis restarted empty lost it (the node had the only copy)', async () => {
    const doc = newDoc();
    const a = await node();
    const ca = client(a.url, { doc });
    await ca.welcome();
    const ids = ca.changes(['x=1\n', 'y=2\n']);
    await Promise.all(ids.map((id) => ca.settled(id)));
    await redis.stop(true);
    ca.close();
    await ca.closedWith();
    await until(() => a.server.connections === 0, 'the connection gone on the server');
    await redis.restart({ empty: true });
    // The node gives Redis its copy when it is back, then unloads it.
    await until(() => a.server.document(doc) === undefined, 'the document unloaded', 15_000);
    const again = await welcomed(a.url, doc);
    expect(again.root).toEqual({ x: 1, y: 2 });
  });

  it('regression: splices acknowledged in the history a node created after Redis lost a document were voided when the node holding it gave its copy (their base= named revisions of the replaced history)', async () => {
    const doc = newDoc();
    // `a` holds the document and is ahead: the new history's few entries stay below its last one.
    const a = await node({ redisNodeTtlMs: 60_000 });
    const ca = client(a.url, { doc, ext: 'splice' });
    await ca.welcome();
    for (let i = 0; i < 10; i++) await ca.settled(ca.change(`n${i}=1\n`));
    await ca.settled(ca.change('t=kept\n'));
    await flushall();
    // `b` had not loaded it: it creates it empty; two typists write in that new history.
    const b = await node({ redisNodeTtlMs: 60_000 });
    const [t1, t2] = [client(b.url, { doc, ext: 'splice' }), client(b.url, { doc, ext: 'splice' })];
    await Promise.all([t1.welcome(), t2.welcome()]);
    await t1.settled(t1.change('t=abc\n'));
    await t2.atRev(t1.rev);
    const base = t1.rev;
    const splices = [t1.change('t~=3,0,d\n', base), t2.change('t~=0,0,X\n', base)];
    await Promise.all([t1.settled(splices[0]!), t2.settled(splices[1]!)]);
    expect([t1.acked.has(splices[0]!), t2.acked.has(splices[1]!)]).toEqual([true, true]);
    await t1.atRev(base + 2);
    expect(t1.root).toEqual({ t: 'Xabcd' });
    // `a` learns of the loss at its next append and gives its copy, with what `b` acknowledged.
    ca.change('late=1\n');
    await Promise.all([ca.closedWith(10_000), t1.closedWith(10_000)]);
    const ra = client(a.url, { doc, resume: ca, ext: 'splice' });
    const rb = client(b.url, { doc, resume: t1, ext: 'splice' });
    await Promise.all([ra.welcome(), rb.welcome()]);
    await rb.atRev(ra.rev);
    expect((ra.root as { t: string }).t).toBe('Xabcd');
    expect(rb.root).toEqual(ra.root);
    expect(snapshotOf(b, doc)).toBe(snapshotOf(a, doc));
  });

  it('a frame carried over twice (two copies given one after the other) gets the sum of both shifts of its base=, and the state as given starts each history', async () => {
    const doc = newDoc();
    const keys = documentKeys(doc);
    const state = (rev: number) =>
      encodeReplicaSnapshot({
        epoch: 'Some_epoch',
        fingerprint: 'f',
        rev,
        text: '',
        applied: [],
        size: 0,
        recountRev: -1,
        textHistory: { from: rev, events: [] },
        conns: [],
      });
    const link = await RedisLink.connect(redis.url, silentLogger, 5_000);
    const direct = new Redis(redis.url);
    try {
      // A new document (at revision 0), and a frame typed there.
      const created = await link.createSnapshot(keys, state(0));
      const frame = encodeEntry({ kind: 'frame', conn: 'c1.n9-aaaa', data: 'x=1\n' });
      await link.append(keys, created.gen, [frame]);
      // A node that held its own history up to revision 10 gives its copy: the frame is carried.
      expect(await link.recover(keys, 111, 5, state(10))).toBe(true);
      const [gen2, startrev2] = await direct.hmget(keys.snapshot, 'gen', 'startrev');
      expect(startrev2).toBe('10');
      const once = await direct.xrange(keys.log, '-', '+');
      expect(decodeEntry(once[0]![1])).toEqual({ ...decodeEntry(frame), baseShift: 10 });
      // A node of that same history, further on (revision 25, entry 6), gives its copy in turn.
      expect(await link.recover(keys, 111, 6, state(25))).toBe(true);
      expect(await direct.hget(keys.snapshot, 'gen')).not.toBe(gen2);
      const twice = await direct.xrange(keys.log, '-', '+');
      expect(decodeEntry(twice[0]![1])).toEqual({ ...decodeEntry(frame), baseShift: 25 });
      expect(await direct.hget(keys.snapshot, 'startrev')).toBe('25');
    } finally {
      direct.disconnect();
      link.close();
    }
  });

  it('a document stored before histories were numbered (snapshot version 1, entry ids <seq>-0) loads, takes changes and is shared as before', async () => {
    const doc = newDoc();
    const a = await node();
    const keys = documentKeys(doc);
    const fingerprint = replicaFingerprint(a.server.limits, new Set(defaultUnsafeKeys));
    const state = encodeReplicaSnapshot({
      epoch: 'Old_epoch',
      fingerprint,
      rev: 1,
      text: 'x=1\n',
      applied: [],
      size: 4,
      recountRev: -1,
      textHistory: { from: 1, events: [] },
      conns: [],
    }).replace('{"v":2,', '{"v":1,');
    const direct = new Redis(redis.url);
    try {
      await direct.hset(keys.snapshot, 'seq', '0', 'state', state);
      await direct.set(keys.seq, '0');
      const ca = client(a.url, { doc });
      await ca.welcome();
      expect(ca.epoch).toBe('Old_epoch');
      const id = ca.change('y=2\n');
      await ca.settled(id);
      expect(ca.acked.has(id)).toBe(true);
      const ids = (await direct.xrange(keys.log, '-', '+')).map(([entryId]) => entryId);
      expect(ids).toEqual(['1-0', '2-0']);
      const b = await node();
      const cb = client(b.url, { doc });
      await cb.atRev(2);
      expect(cb.root).toEqual({ x: 1, y: 2 });
      expect(snapshotOf(b, doc)).toBe(snapshotOf(a, doc));
    } finally {
      direct.disconnect();
    }
  });

  it('regression: Redis restarted from older data (its counter behind what the nodes applied) made the nodes reload that older state (acknowledged changes lost)', async () => {
    const doc = newDoc();
    const [a, b] = [await node({ redisNodeTtlMs: 600 }), await node({ redisNodeTtlMs: 600 })];
    const ca = client(a.url, { doc });
    const cb = client(b.url, { doc });
    await Promise.all([ca.welcome(), cb.welcome()]);
    for (const body of ['x=1\n', 'y=2\n', 'z=3\n']) {
      const id = ca.change(body);
      await ca.settled(id);
    }
    await cb.atRev(3);
    // What a Redis restarted from a save made before the last two entries holds.
    const keys = documentKeys(doc);
    const direct = new Redis(redis.url);
    try {
      const entries = await direct.xrange(keys.log, '-', '+');
      await direct.xdel(keys.log, ...entries.slice(-2).map(([id]) => id));
      await direct.decrby(keys.seq, 2);
    } finally {
      direct.disconnect();
    }
    // A node notices at its next check and gives Redis its copy: nothing acknowledged is lost.
    await Promise.all([ca.closedWith(10_000), cb.closedWith(10_000)]);
    const ra = client(a.url, { doc, resume: ca });
    const rb = client(b.url, { doc, resume: cb });
    await Promise.all([ra.welcome(), rb.welcome()]);
    expect(ra.root).toEqual({ x: 1, y: 2, z: 3 });
    expect(rb.root).toEqual({ x: 1, y: 2, z: 3 });
    const after = rb.change('after=1\n');
    await rb.settled(after);
    expect(rb.acked.has(after)).toBe(true);
    await ra.atRev(rb.rev);
    expect(snapshotOf(a, doc)).toBe(snapshotOf(b, doc));
  });
});

describe('a connection while Redis is away', () => {
  it("regression: a frame refused while Redis was away was sent again after a later frame that made it in, and landed over it (a connection's frames are appended one after the other, and after a refusal the later ones are refused too)", async () => {
    const doc = newDoc();
    const a = await node({ redisCommandTimeoutMs: 500 });
    const c = client(a.url, { doc });
    // Redis frozen (SIGSTOP) past redisCommandTimeoutMs, then running again.
    await c.welcome();
    const [first] = c.changes(['x=1\n']);
    await c.settled(first!);
    redis.pause();
    const [away] = c.changes(['x=2\n']);
    await c.settled(away!, 15_000);
    expect(c.rejected.get(away!)?.fields.code).toBe('UNAVAILABLE');
    redis.resume();
    // Redis is back (a new connection can write), and this connection did not
    // act on its refusal: its next frame is refused too, so that the refused
    // one cannot be sent again after it.
    // Each try on a new connection: a refused one refuses every later frame,
    // and one whose join timed out is closed (1013) right after its welcome.
    for (let stored = false; !stored; ) {
      const other = await welcomed(a.url, doc);
      const [probe] = other.changes(['y=1\n']);
      await until(
        () => other.acked.has(probe!) || other.rejected.has(probe!) || other.closed !== undefined,
        'the probe answered or its connection closed',
        30_000,
      );
      stored = other.acked.has(probe!);
    }
    const [later] = c.changes(['x=3\n']);
    await c.settled(later!, 15_000);
    expect(c.rejected.get(later!)?.fields.code).toBe('UNAVAILABLE');
    // x=2 may have made it in after all (Redis ran it once it woke up), x=3 not.
    const fresh = await welcomed(a.url, doc);
    expect(fresh.root).toMatchObject({ y: 1 });
    expect([1, 2]).toContain((fresh.root as { x: number }).x);
  });

  it("regression: a change a client sent on its earlier connection, applied after its new connection was welcomed, reached the new one with its id left out (compact head): the client took its own change for another's and moved its pending splices over it (SPLICE_RANGE, typed text lost)", async () => {
    const doc = newDoc();
    const a = await node();
    const b = await node();
    // The earlier connection, on `a`, still open there (its node has not seen it go).
    const before = client(a.url, { doc, ext: 'splice' });
    await before.welcome();
    await before.settled(before.change('t=ab\n'));
    // The client connects again, on `b`, and is welcomed; then its earlier frame lands.
    const now = client(b.url, { doc, ext: 'splice', resume: before });
    await now.welcome();
    const late = before.change('t~=2,0,c\n', before.rev);
    await before.settled(late);
    expect(before.acked.has(late)).toBe(true);
    await now.atRev(before.rev);
    // Its new connection must be able to tell it is its own change: the id is said.
    const heads = now.frames
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('#vs change'));
    expect(heads.at(-1)).toContain(`conn=${before.conn}`);
    expect(heads.at(-1)).toContain(`id=${late}`);
    // A connection of another client still gets compact heads for its own changes.
    const other = client(a.url, { doc });
    await other.welcome();
    other.changes(['x=1\n']);
    const [second] = other.changes(['y=1\n']);
    await other.settled(second!);
    const own = other.frames
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('#vs change'));
    expect(own.at(-1)).toBe(`#vs change conn=${other.conn}`);
  });
});

describe('a node joining', () => {
  it('a node started while writers write and snapshots trim the log behind them loads the whole tree and follows', async () => {
    const doc = newDoc();
    const options = { redisSnapshotEntries: 10 };
    const [a, b] = [await node(options), await node(options)];
    const writers = [client(a.url, { doc }), client(b.url, { doc })];
    await Promise.all(writers.map((w) => w.welcome()));
    const sent: { w: TestClient; id: string }[] = [];
    let late: TestServer | undefined;
    let reader: TestClient | undefined;
    for (let round = 0; round < 60; round++) {
      for (const [i, w] of writers.entries()) {
        sent.push({ w, id: w.change(`n${i}=${round}\nlog.+=${i}_${round}\n`) });
      }
      if (round === 30) {
        late = await node(options);
        reader = await welcomed(late.url, doc);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(sent.map(({ w, id }) => w.settled(id)));
    for (const { w, id } of sent) expect(w.acked.has(id)).toBe(true);
    // The last revision either writer holds: each got its own acknowledgements,
    // not necessarily the other's last revision yet (on another node).
    const rev = Math.max(...writers.map((w) => w.rev));
    await Promise.all([...writers, reader!].map((c) => c.atRev(rev)));
    expect(reader!.root).toEqual(writers[0]!.root);
    expect((reader!.root as { log: string[] }).log).toHaveLength(120);
    for (const n of [a, b, late!]) expect(snapshotOf(n, doc)).toBe(snapshotOf(a, doc));
  });

  it('regression: a node a few entries behind the node that stored a snapshot found a gap (the log was trimmed at the new snapshot) and reloaded the document, closing its clients', async () => {
    const keys = documentKeys(newDoc());
    const link = await RedisLink.connect(redis.url, silentLogger, 5_000);
    try {
      const created = await link.createSnapshot(keys, 'state at 0');
      const entry = ['k', 'l', 'c', 'c1.n1'];
      expect(await link.append(keys, created.gen, [entry, entry, entry, entry, entry, entry])).toBe(
        1,
      );
      // Two snapshots, as the nodes store them every redisSnapshotEntries.
      expect(await link.saveSnapshot(keys, created.gen, 3, 'state at 3')).toBe(true);
      expect(await link.saveSnapshot(keys, created.gen, 5, 'state at 5')).toBe(true);
      // A node at entry 3 when another stored the one at 5 reads on without a gap.
      const after = await link.range(keys, { seq: 3, gen: created.gen }, 10);
      expect(after.map((e) => e.seq)).toEqual([4, 5, 6]);
      // Kept: the entries since the snapshot before the last.
      const all = await link.range(keys, { seq: 0, gen: created.gen }, 10);
      expect(all.map((e) => e.seq)).toEqual([3, 4, 5, 6]);
    } finally {
      link.close();
    }
  });
});

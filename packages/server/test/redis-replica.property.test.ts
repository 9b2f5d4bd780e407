import fc from 'fast-check';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../scripts/lib/test-redis.mjs';
import type { Revision } from '../src/document/revision.js';
import { silentLogger } from '../src/log/logger.js';
import { ServerMetrics } from '../src/metrics/metrics.js';
import { defaultUnsafeKeys, serverDefaults } from '../src/options/defaults.js';
import { DocumentReplica } from '../src/redis/document-replica.js';
import { encodeEntry, type LogEntry } from '../src/redis/log-entry.js';
import { documentKeys } from '../src/redis/redis-keys.js';
import { RedisLink, type StreamEntry } from '../src/redis/redis-link.js';
import { RedisMetrics } from '../src/redis/redis-metrics.js';
import {
  decodeReplicaSnapshot,
  encodeReplicaSnapshot,
  type ReplicaSnapshot,
} from '../src/redis/replica-snapshot.js';

/**
 * The property the Redis path rests on: a node that loads a replica's state
 * saved after any entry of a log, then applies the rest of the log, ends
 * exactly where a node that applied the whole log ends (tree, revisions,
 * remembered ids, size estimate, text history, connections) and emits the
 * same revisions on the way. Limits are small, so that size refusals, rate
 * of recounts, dedup eviction and scope refusals all take part.
 */

let redis: TestRedis;
let link: RedisLink;
beforeAll(async () => {
  redis = await startRedis();
  link = await RedisLink.connect(redis.url, silentLogger, serverDefaults.redisCommandTimeoutMs);
});
afterAll(async () => {
  link.close();
  await redis.remove();
});

const limits = Object.freeze({
  ...serverDefaults,
  maxDocumentBytes: 400,
  dedupClients: 3,
  dedupPerClient: 4,
  maxTextHistory: 6,
  // Never due here: these replicas store nothing.
  redisSnapshotEntries: Number.MAX_SAFE_INTEGER,
  compactionBytes: Number.MAX_SAFE_INTEGER,
});
const unsafeKeys = new Set(defaultUnsafeKeys);

function replica(snapshot: ReplicaSnapshot, seq: number, emitted: string[]): DocumentReplica {
  const metrics = new ServerMetrics({ connections: () => 0, documents: () => 1 });
  return new DocumentReplica(
    'prop',
    documentKeys('prop'),
    snapshot,
    { seq, gen: 0 },
    {
      limits,
      unsafeKeys,
      metrics,
      logger: silentLogger,
      onRevision: (_doc, revision: Revision) => emitted.push(`${revision.rev} ${revision.text}`),
      onFailed: () => {},
      deterministic: true,
    },
    {
      link,
      node: 'n0',
      limits,
      unsafeKeys,
      metrics,
      logger: silentLogger,
      fingerprint: 'prop',
      redisMetrics: new RedisMetrics(new Registry(), () => true),
      onStale: () => {
        throw new Error('a gap in a contiguous log');
      },
      onLost: () => {},
    },
  );
}

const initial: ReplicaSnapshot = {
  epoch: 'prop',
  fingerprint: 'prop',
  rev: 0,
  text: '^0={}\n',
  applied: [],
  size: 6,
  recountRev: -1,
  textHistory: { from: 0, events: [] },
  conns: [],
};

const conns = ['c1.n1', 'c2.n1', 'c3.n2'];
const statement = fc.constantFrom(
  'a.b=1\n',
  'a.c="some text"\n',
  'list.+=x\n^.y=2\n',
  'n=1\n',
  'n+=5\n',
  'big="0123456789012345678901234567890123456789012345678901234567890123456789"\n',
  'big=\n',
  'a=\n',
  'a..b=1\n', // bad path: rejected
  '__proto__.x=1\n', // unsafe key: rejected
  'list.0=z\n',
  'copy&=a\n',
  '^.d=3\n',
);
const frame = fc
  .tuple(
    fc.array(
      fc.tuple(fc.integer({ min: 0, max: 9 }), fc.array(statement, { minLength: 1, maxLength: 3 })),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    fc.constantFrom('k1', 'k2', 'k3', 'k4', 'k5'),
    fc.boolean(),
  )
  .map(([sections, client, withIds]) =>
    sections
      .map(([seq, body]) => (withIds ? `#vs change id=${client}:${seq}\n` : '') + body.join(''))
      .join(''),
  );
const entry: fc.Arbitrary<LogEntry> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom(...conns).map((conn) => ({
      kind: 'join' as const,
      conn,
      access: 'write' as const,
      scope: undefined,
      client: undefined,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...conns).map((conn) => ({
      kind: 'join' as const,
      conn,
      access: 'write' as const,
      scope: [['a']],
      client: undefined,
    })),
  },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom(...conns), frame)
      .map(([conn, data]) => ({ kind: 'frame' as const, conn, data })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...conns), fc.constantFrom('name=A', 'name=B', ''))
      .map(([conn, p]) => ({ kind: 'frame' as const, conn, data: `#vs presence ${p}\n` })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...conns).map((conn) => ({ kind: 'leave' as const, conn })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'nodeGone' as const, node: 'n2' }) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('w.x=1\n', 'w.+=2\n', '__proto__=1\n')
      .map((data) => ({ kind: 'write' as const, token: 'n9:1', atomic: true, data })),
  },
);

describe('replicas on one log', () => {
  it('a replica loaded from a state saved after any entry ends where one that applied every entry ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entry, { minLength: 1, maxLength: 40 }),
        fc.nat(),
        async (log, at) => {
          const stream: StreamEntry[] = log.map((e, i) => ({
            seq: i + 1,
            gen: 0,
            fields: encodeEntry(e),
          }));
          const cut = at % (stream.length + 1);
          const emittedA: string[] = [];
          const a = replica(initial, 0, emittedA);
          a.applyEntries(stream.slice(0, cut));
          // What a node stores in Redis, through JSON, as a loading node reads it.
          const saved = decodeReplicaSnapshot(encodeReplicaSnapshot(a.snapshot()), 'prop');
          const before = emittedA.length;
          a.applyEntries(stream.slice(cut));
          const emittedB: string[] = [];
          const b = replica(saved, cut, emittedB);
          b.applyEntries(stream.slice(cut));
          expect(encodeReplicaSnapshot(b.snapshot())).toBe(encodeReplicaSnapshot(a.snapshot()));
          expect(b.doc.rev).toBe(a.doc.rev);
          expect(emittedB).toEqual(emittedA.slice(before));
          await Promise.all([a.close(), b.close()]);
        },
      ),
      { numRuns: 150 },
    );
  });
});

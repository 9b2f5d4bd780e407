import type { VarStreamServer } from '@varstream/server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '../../../../scripts/lib/test-redis.mjs';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

// The client against two servers sharing documents through a Redis of the
// test's own (127.0.0.1, a free port).
let redis: TestRedis;
const servers: VarStreamServer[] = [];
const open: { close(): void }[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.remove();
});
afterEach(async () => {
  for (const doc of open.splice(0)) doc.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function node(): Promise<VarStreamServer> {
  const server = await startServer({ redis: redis.url });
  servers.push(server);
  return server;
}

describe('on servers sharing Redis', () => {
  it('keeps a change Redis could not take, and it lands once Redis is back', async () => {
    const doc = `t${process.pid}-${Date.now().toString(36)}`;
    const [a, b] = [await node(), await node()];
    const watcher = client<{ before?: number; during?: number }>(b, doc);
    const live = client(a, doc, { backoff: { baseMs: 20, maxMs: 200 } });
    open.push(watcher, live);
    const rejections: string[] = [];
    live.on('reject', (rejection) => rejections.push(rejection.code));
    await Promise.all([watcher.whenSynced(), live.whenSynced()]);
    live.set(['before'], 1);
    await live.whenSynced();
    await redis.stop(true);
    live.set(['during'], 2);
    // Refused (UNAVAILABLE) while Redis is down: kept pending, sent again after each reconnect.
    await until(() => live.pending === 1, 'the change pending', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(live.pending).toBe(1);
    expect(live.get(['during'])).toBe(2);
    await redis.restart();
    await live.whenSynced();
    expect(rejections).toEqual([]);
    await until(() => watcher.get(['during']) === 2, 'the change at the watcher', 10_000);
    expect(watcher.get([])).toEqual({ before: 1, during: 2 });
  });
});

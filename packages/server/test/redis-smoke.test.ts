import { afterAll, beforeAll, expect, test } from 'vitest';
import { TestClient } from './helpers/client.js';
import { startRedis, type TestRedis } from './helpers/redis.js';
import { startServer } from './helpers/server.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.remove();
});

test('smoke', async () => {
  const a = await startServer({ redis: redis.url });
  const b = await startServer({ redis: redis.url });
  const ca = new TestClient(a.url);
  const cb = new TestClient(b.url);
  await Promise.all([ca.welcome(), cb.welcome()]);
  const id = ca.change('x=1\n');
  await ca.settled(id);
  await cb.atRev(1);
  expect(cb.root).toEqual({ x: 1 });
  const id2 = cb.change('y=2\n');
  await cb.settled(id2);
  await ca.atRev(2);
  expect(ca.root).toEqual({ x: 1, y: 2 });
  console.log(ca.frames, cb.frames);
  await a.close();
  await b.close();
});

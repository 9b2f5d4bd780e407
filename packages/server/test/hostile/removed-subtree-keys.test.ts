/**
 * Removing a large object or array with one short statement (`o=`, `o=1`)
 * enumerated every key of what it removed (`Object.keys`, to estimate the
 * bytes it freed), after the commit: ~640 ms for an object of 700 000 keys,
 * for a 3-byte change. The estimate now reads only containers known to be
 * small: arrays by their length, objects by the keys changes created in them.
 * The work is counted (keys enumerated by `Object.keys` while the change is
 * handled), not timed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const KEYS = 50_000;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Runs `body` as one change of `writer`, returning the most keys one `Object.keys` call enumerated meanwhile. */
async function widestEnumeration(writer: TestClient, body: string): Promise<number> {
  const keys = Object.keys;
  let widest = 0;
  Object.keys = (value: object) => {
    const result = keys(value);
    if (result.length > widest) widest = result.length;
    return result;
  };
  try {
    const id = writer.change(body);
    await writer.settled(id, 60_000);
    expect(writer.acked.has(id), body).toBe(true);
  } finally {
    Object.keys = keys;
  }
  return widest;
}

describe('hostile: removing a large subtree costs the statement, not the subtree', () => {
  it('does not enumerate the keys of a removed object or array', { timeout: 120_000 }, async () => {
    server = await startServer();
    let seed = '';
    for (let i = 0; i < KEYS; i++) seed += `o.k${i}=${i}\n`;
    for (let i = 0; i < KEYS; i++) seed += `l.${i}=${i}\n`;
    for (let i = 0; i < KEYS; i++) seed += `p.q.k${i}=${i}\n`;
    seed += 'keep=1\n';
    await server.server.write('default', seed);
    const writer = new TestClient(server.url);
    await writer.welcome();
    for (const body of ['o=1\n', 'l=\n', 'p=\n']) {
      expect(await widestEnumeration(writer, body), body).toBeLessThan(1_000);
    }
    expect(server.server.document('default')!.root).toEqual({ o: 1, keep: 1 });
    writer.close();
  });
});

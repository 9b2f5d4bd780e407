/**
 * Every member that updated its presence in a flush must not receive its own
 * line, so it used to get a frame of its own: the shared frame's text built
 * again without that line. K members updating at once built K frames of K
 * lines: O(K²) work and unshared memory per flush (300 connections sending
 * 1 KB presence lines 5 times: 441 MB built, a bystander waited 5 s). Such a
 * member now gets the shared frame's bytes around its own line, as slices of
 * the one shared Buffer (one message in fragments): nothing is built per
 * member. Counted deterministically with `counts.memberFrames`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { connectAll, type TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

let server: TestServer | undefined;
let clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await server?.close();
  server = undefined;
});

describe('hostile: presence fan-out', () => {
  it('builds no frame per member when many members update their presence at once', async () => {
    server = await startServer();
    clients = await connectAll(server.url, 60);
    const writer = clients[0]!;
    const counts = server.server.metrics.counts;
    const before = counts.memberFrames;
    const pad = 'p'.repeat(900);
    for (let round = 0; round < 3; round++) {
      // A change in the same flushes: its section is in the frames around the presence lines.
      writer.change(`round=${round}\nnote=é\u{1F600}${round}\n`);
      for (const [i, client] of clients.entries())
        client.send(`#vs presence n=${pad}${round}.${i}\n`);
    }
    const doc = server.server.document('default')!;
    const lastLine = (client: TestClient, conn: string) =>
      client.metasOf('presence').findLast((meta) => meta.fields.conn === conn)?.fields.n;
    await until(
      () =>
        clients.every((client) =>
          clients.every(
            (other) =>
              other === client ||
              lastLine(client, other.conn!) === `${pad}2.${clients.indexOf(other)}`,
          ),
        ),
      'every presence seen',
      30_000,
    );
    for (const client of clients) {
      // Never its own presence; every revision.
      expect(client.metasOf('presence').some((meta) => meta.fields.conn === client.conn)).toBe(
        false,
      );
      await client.atRev(doc.rev);
      expect(client.root).toEqual(doc.root);
    }
    // Old: one frame built per member in every flush with its presence (at least 3 × 60).
    expect(counts.memberFrames - before).toBe(0);
  });
});

/**
 * A join after every small change used to rebuild the welcome's snapshot
 * (stringify of the whole document, on the event loop): one change of a few
 * bytes and one connection cost O(document), ~180 ms for a 7 MB document,
 * as often as an attacker could connect. The snapshot built for an earlier
 * revision is now reused, followed by the revisions written since, until
 * those weigh a quarter of it. Counted deterministically: every distinct
 * snapshot revision a joiner receives was built once.
 */
import type { Socket } from 'node:net';
import { stringify } from '@varstream/varstream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { until } from '../helpers/wait.js';

let server: TestServer | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

function snapshotRev(client: TestClient): number {
  const match = /^#vs snapshot rev=(\d+)/m.exec(client.frames[0] ?? '');
  if (match === null) throw new Error(`no snapshot in ${client.frames[0]?.slice(0, 200)}`);
  return Number(match[1]);
}

async function join(url: string, options = {}): Promise<TestClient> {
  const client = new TestClient(url, options);
  clients.push(client);
  await client.welcome();
  return client;
}

describe('hostile: joins after small changes', () => {
  it('do not rebuild the snapshot of a 1 MB document for each join', async () => {
    server = await startServer();
    let seed = '';
    for (let i = 0; i < 10_000; i++) seed += `k${i}=${'x'.repeat(90)}\n`;
    await server.server.write('default', seed);
    const writer = await join(server.url);
    const doc = server.server.document('default')!;
    const built = new Set<number>();
    let last: TestClient | undefined;
    for (let i = 0; i < 20; i++) {
      await writer.settled(writer.change(`k${i}=${i}\n`));
      last = await join(server.url, i % 2 === 0 ? { ext: 'splice' } : { protocol: false });
      await last.atRev(doc.rev);
      built.add(snapshotRev(last));
      last.close();
    }
    // Old: 20 snapshots built, one per join.
    expect(built.size).toBe(1);
    expect(stringify(last!.root).trimEnd()).toBe(doc.snapshot().trimEnd());

    // Once the changes since weigh a quarter of the snapshot, it is built again.
    await writer.settled(writer.change(`big=${'y'.repeat(300_000)}\n`));
    const after = await join(server.url);
    expect(snapshotRev(after)).toBe(doc.rev);
    expect(stringify(after.root).trimEnd()).toBe(doc.snapshot().trimEnd());
  });

  it('send a snapshot, not a replay larger than the document, to a client that resumes far back', async () => {
    // Old: the replay of every missed revision, built for that client alone: 9 000
    // revisions of 700 bytes (6.4 MB, ~290 ms a join) for a document of 35 KB.
    server = await startServer();
    const writer = await join(server.url);
    const early = await join(server.url);
    early.close();
    const pad = 'x'.repeat(700);
    for (let batch = 0; batch < 10; batch++) {
      await writer.settled(
        writer.changes(Array.from({ length: 20 }, (_, i) => `k${i}=${pad}${batch}\n`)).pop()!,
      );
    }
    const doc = server.server.document('default')!;
    const far = await join(server.url, { resume: early });
    await far.atRev(doc.rev);
    expect(far.frames[0]).toMatch(/^#vs snapshot rev=/m);
    expect(Buffer.byteLength(far.frames[0]!)).toBeLessThan(30_000);
    expect(stringify(far.root).trimEnd()).toBe(doc.snapshot().trimEnd());
    // A client that missed a little still gets a replay.
    const near = new TestClient(server.url, { resume: far });
    clients.push(near);
    far.close();
    await writer.settled(writer.change('k0=1\n'));
    await near.atRev(doc.rev);
    expect(near.frames[0]).toMatch(/^#vs replay from=/m);
    expect(stringify(near.root).trimEnd()).toBe(doc.snapshot().trimEnd());
  });

  it('compress welcomes for joiners only as far as measureBytesPerSecond pays (then shared, uncompressed)', async () => {
    // Old: every joiner that offered permessage-deflate got its own compressed copy of
    // the whole document (a 7 MB document: 7 MB deflated per join, nothing changed).
    server = await startServer({ measureBytesPerSecond: 1_000, maxDocumentBytes: 1024 * 1024 });
    await server.server.write('default', `s=${'x'.repeat(900_000)}\n`);
    const onWire: number[] = [];
    for (let i = 0; i < 6; i++) {
      const ws = new WebSocket(server.url);
      let socket: Socket | undefined;
      ws.once('upgrade', (response) => {
        socket = response.socket;
      });
      let welcome = '';
      let before = 0;
      let read = 0;
      ws.on('message', (data) => {
        if (welcome !== '') return;
        welcome = data.toString();
        read = socket!.bytesRead - before;
      });
      await new Promise((resolve) => ws.once('open', resolve));
      before = socket!.bytesRead;
      await until(() => welcome !== '', 'welcome');
      expect(welcome).toContain(`s=${'x'.repeat(900_000)}`);
      onWire.push(read);
      ws.close();
    }
    // 1 MiB of budget, half of 900 KB a compression: two compressed, then as they are.
    const compressed = onWire.filter((bytes) => bytes < 100_000).length;
    expect(compressed).toBeGreaterThanOrEqual(1);
    expect(compressed).toBeLessThanOrEqual(2);
    expect(onWire.slice(2).every((bytes) => bytes > 500_000)).toBe(true);
  });
});

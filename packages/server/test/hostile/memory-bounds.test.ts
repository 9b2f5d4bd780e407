import { readdirSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer, tempDir } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { Bystander } from './bystander.js';
import { expectReloads } from './reload.js';

let server: TestServer | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
const sockets: (Socket | WebSocket)[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) {
    if (socket instanceof WebSocket) socket.terminate();
    else socket.destroy();
  }
  await server?.close();
  server = undefined;
  await dir?.remove();
  dir = undefined;
});

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes held by Buffers in this process (where queued frames live), after a full GC. */
function bufferBytes(): number {
  gc();
  gc();
  return process.memoryUsage().arrayBuffers;
}

/** Journal files of `path` this process has open now. */
function openJournals(path: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(path) && /\.journal(\.next)?$/.test(target)) count++;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/** A client that completes the WebSocket handshake and then never reads a byte. */
function nonReader(port: number, path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
      );
    });
    socket.setNoDelay(true);
    socket.once('data', () => {
      socket.pause(); // from now on the kernel buffers fill up, then the server's queue
      resolve(socket);
    });
    socket.on('error', reject);
    sockets.push(socket);
  });
}

/** VarStream statements making a document of about `bytes` bytes. */
function filler(bytes: number, key = 'blob'): string {
  const value = 'v'.repeat(1000);
  let text = '';
  for (let i = 0; i * 1010 < bytes; i++) text += `${key}.k${i}=${value}\n`;
  return text;
}

describe('memory and descriptor bounds (issue 9, item 7)', () => {
  it('clients that never read share one copy of the welcome snapshot', async () => {
    server = await startServer();
    await server.server.write('big', filler(6 * 1024 * 1024));
    const docBytes = server.server.document('big')!.snapshot().length;
    await nonReader(server.port, '/big'); // the shared snapshot exists from here on
    const before = bufferBytes();
    const readers = 20;
    for (let i = 0; i < readers; i++) await nonReader(server.port, '/big');
    await until(() => server!.server.connections === readers + 1, 'every reader joined');
    const grown = bufferBytes() - before;
    // One copy per reader would be readers x 6 MB (the kernel takes a few MB of each at most).
    expect(grown).toBeLessThan(2 * docBytes);
    expect(server.server.memoryUsed).toBeLessThan(2 * docBytes);
    const bystander = await Bystander.start(server.url);
    expect(await bystander.stop()).toBeLessThan(1_000);
  });

  it('unloads idle documents, closes their journals, and bounds open journals', async () => {
    dir = await tempDir();
    server = await startServer({ dataDir: dir.path, documentIdleMs: 100, maxOpenJournals: 3 });
    const docs = Array.from({ length: 10 }, (_, i) => `doc${i}`);
    let most = 0;
    for (const name of docs) {
      const client = new TestClient(server.url, { doc: `/${name}` });
      await client.welcome();
      const id = client.change(`name=${name}\nlist.+=1\n`);
      await client.settled(id);
      most = Math.max(most, openJournals(dir.path));
      client.close();
    }
    expect(most).toBeLessThanOrEqual(3);
    await until(() => docs.every((name) => server!.server.document(name) === undefined), 'unloads');
    await until(() => openJournals(dir!.path) === 0, 'every journal closed');
    // Loaded again on the next connection, with everything.
    const back = new TestClient(server.url, { doc: '/doc3' });
    await back.welcome();
    expect(back.root).toEqual({ name: 'doc3', list: [1] });
    const id = back.change('list.+=2\n');
    await back.settled(id);
    const snapshot = server.server.document('doc3')!.snapshot();
    back.close();
    await server.close();
    server = undefined;
    await expectReloads(dir.path, 'doc3', snapshot);
    await expectReloads(dir.path, 'doc9', 'name=doc9\nlist.!=1\n');
  });

  it('keeps memory-only documents loaded (they exist nowhere else)', async () => {
    server = await startServer({ documentIdleMs: 10 });
    const client = new TestClient(server.url, { doc: '/kept' });
    await client.welcome();
    await client.settled(client.change('a=1\n'));
    client.close();
    await until(() => server!.server.connections === 0, 'closed');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.server.document('kept')?.root).toEqual({ a: 1 });
  });

  it('cuts the connections holding the most unfinished fragmented messages', async () => {
    const maxIncomingBytes = 2 * 1024 * 1024;
    server = await startServer({ maxIncomingBytes });
    const bystander = await Bystander.start(server.url);
    const fragment = 'x'.repeat(256 * 1024);
    const attackers: WebSocket[] = [];
    for (let i = 0; i < 12; i++) {
      // Half of them compress: 256 KB of x fit in a few hundred bytes on the wire.
      const ws = new WebSocket(`${server.url}frag${i}`, { perMessageDeflate: i % 2 === 0 });
      ws.on('error', () => {});
      sockets.push(ws);
      await new Promise((resolve) => ws.once('open', resolve));
      // Three fragments of a message that never ends; the socket answers pings.
      for (let f = 0; f < 3; f++) ws.send(fragment, { fin: false });
      attackers.push(ws);
    }
    await until(
      () => attackers.filter((ws) => ws.readyState === WebSocket.CLOSED).length >= 6,
      'cuts',
    );
    expect(server.server.memoryUsed).toBeLessThanOrEqual(maxIncomingBytes + 1024 * 1024);
    expect(await bystander.stop()).toBeLessThan(1_000);
    // An honest client still gets its large (finished) frames through.
    const honest = new TestClient(server.url, { doc: '/honest' });
    await honest.welcome();
    const id = honest.change(`big=${'y'.repeat(600 * 1024)}\n`);
    await honest.settled(id);
    expect(honest.acked.has(id)).toBe(true);
  });

  it('a server-wide budget: new documents refused, growth rejected, shrinking accepted', async () => {
    const maxMemoryBytes = 3 * 1024 * 1024;
    server = await startServer({ maxMemoryBytes });
    const heapBefore = bufferBytes() + process.memoryUsage().heapUsed;
    const writers: TestClient[] = [];
    const outcomes: string[] = [];
    for (let i = 0; i < 12; i++) {
      const client = new TestClient(server.url, { doc: `/m${i}` });
      await until(() => client.welcomed || client.closed !== undefined, `writer ${i}`);
      if (!client.welcomed) {
        outcomes.push('refused');
        continue;
      }
      writers.push(client);
      const id = client.change(filler(500 * 1024, 'data'));
      await client.settled(id);
      outcomes.push(client.rejected.get(id)?.fields.code ?? 'accepted');
    }
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill('accepted'));
    expect(outcomes).toContain('refused');
    // Over by at most the change that reached it, once the writers have read their echoes.
    await until(
      () => server!.server.memoryUsed < maxMemoryBytes + 600 * 1024,
      'the estimate within the budget',
    );
    const grown = bufferBytes() + process.memoryUsage().heapUsed - heapBefore;
    // JavaScript objects take a few times their VarStream size; 12 x 500 KB would be twice this.
    expect(grown).toBeLessThan(6 * maxMemoryBytes);
    // A loaded document may not grow, but may shrink.
    const first = writers[0]!;
    const grow = first.change('more=1\n');
    await first.settled(grow);
    expect(first.rejected.get(grow)?.fields.code).toBe('SERVER_FULL');
    const shrink = first.change('data=\n');
    await first.settled(shrink);
    expect(first.acked.has(shrink)).toBe(true);
  });
});

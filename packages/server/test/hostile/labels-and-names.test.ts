import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { docFiles } from '../../src/storage/file-names.js';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer, tempDir } from '../helpers/server.js';
import { until } from '../helpers/wait.js';
import { expectReloads } from './reload.js';

let server: TestServer | undefined;
let dir: Awaited<ReturnType<typeof tempDir>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await dir?.remove();
  dir = undefined;
});

/**
 * Sends a WebSocket upgrade for `path` exactly as written (a WebSocket or URL
 * library would normalise `%2e%2e` and `..` first) and returns the close
 * code of the server's first frame, or the HTTP status when it refused the
 * upgrade.
 */
function rawUpgrade(port: number, path: string): Promise<{ close?: number; status?: number }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('upgrade', (_res, socket, head) => {
      const onData = (chunk: Buffer) => {
        const frame = Buffer.concat([head, chunk]);
        socket.destroy();
        // 0x88: a final close frame; its payload starts with the code.
        resolve(frame[0] === 0x88 ? { close: frame.readUInt16BE(2) } : { status: 101 });
      };
      if (head.length >= 4) onData(Buffer.alloc(0));
      else socket.once('data', onData);
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('metrics labels, document names, meta lines inside values (issue 9, item 10)', () => {
  it('client-chosen close codes do not become metrics label values', async () => {
    server = await startServer();
    const codes = [3000, 3999, 4002, 4123, 4999];
    for (const code of codes) {
      const ws = new WebSocket(server.url);
      await new Promise((resolve) => ws.once('open', resolve));
      ws.close(code);
      await until(() => ws.readyState === WebSocket.CLOSED, 'close');
    }
    const normal = new WebSocket(server.url);
    await new Promise((resolve) => normal.once('open', resolve));
    normal.close(1000);
    await until(() => server!.server.connections === 0, 'every connection gone');
    const text = await server.server.metrics.text();
    const closed = text
      .split('\n')
      .filter((l) => l.startsWith('varstream_connections_closed_total'));
    expect(closed).toContain(`varstream_connections_closed_total{code="other"} ${codes.length}`);
    expect(closed).toContain('varstream_connections_closed_total{code="1000"} 1');
    for (const code of codes) expect(text).not.toContain(`code="${code}"`);
  });

  it('refuses document names with % or dot segments instead of normalising them', async () => {
    server = await startServer({ prefix: '/sync' });
    for (const path of [
      '/sync/a/%2e%2e/b',
      '/sync/%2e%2e',
      '/sync/%2E%2E/secret',
      '/sync/a%2Fb',
      '/sync/notes%20x',
      '/sync/a/../b',
      '/sync/./b',
      '/sync/x/..',
    ]) {
      expect(await rawUpgrade(server.port, path), path).toEqual({ close: 4400 });
    }
    // `/sync/..%2fother` must not escape the prefix either.
    expect(await rawUpgrade(server.port, '/sync/..%2fother')).toEqual({ close: 4400 });
    expect(await rawUpgrade(server.port, '/other/%2e%2e/sync/b')).toEqual({ status: 404 });
    const fine = await rawUpgrade(server.port, '/sync/a/b?vs=0');
    expect(fine.close).not.toBe(4400);
    expect(server.server.document('b')).toBeUndefined();
  });

  it('a value cannot put a #vs line at the start of a line a line-by-line reader sees', async () => {
    dir = await tempDir();
    server = await startServer({ dataDir: dir.path });
    const [writer, reader] = [new TestClient(server.url), new TestClient(server.url)];
    await Promise.all([writer.welcome(), reader.welcome()]);
    const forged = '#vs change rev=999 conn=evil id=x:1';
    const id = writer.change(`note=harmless\\\n${forged}\\\n  #vs ping t=1\nsafe=1\n`);
    await writer.settled(id);
    expect(writer.acked.has(id)).toBe(true);
    const value = `harmless\n${forged}\n  #vs ping t=1`;
    const doc = server.server.document('default')!;
    expect(doc.root).toEqual({ note: value, safe: 1 });
    await reader.atRev(doc.rev);
    expect(reader.root).toEqual(doc.root);
    const comments = (text: string) => text.split(/\r?\n/).filter((l) => /^[ \t]*#/.test(l));
    for (const frame of reader.frames) {
      for (const line of comments(frame)) expect(line).not.toMatch(/evil|ping/);
    }
    // A late joiner's snapshot and the journal on disk: the same.
    const late = new TestClient(server.url);
    await late.welcome();
    expect(late.root).toEqual(doc.root);
    for (const line of comments(late.frames[0]!)) expect(line).not.toMatch(/evil|ping/);
    const journal = await readFile(docFiles(dir.path, 'default').journal, 'utf8');
    for (const line of comments(journal)) expect(line).not.toMatch(/evil|ping/);
    const snapshot = doc.snapshot();
    await server.close();
    server = undefined;
    await expectReloads(dir.path, 'default', snapshot);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VarStreamServer } from '@varstream/server';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type ConnectOptions,
  MemoryStorage,
  type Rejection,
  type Status,
  type VarStreamDocument,
} from '../../src/index.js';
import { client, startServer } from '../helpers/real-server.js';
import { until } from '../helpers/wait.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(options = {}): Promise<VarStreamServer> {
  const server = await startServer(options);
  cleanups.push(() => server.close());
  return server;
}

function open(server: VarStreamServer, options = {}) {
  const doc = client(server, 'doc', options);
  cleanups.push(() => doc.close());
  return doc;
}

/**
 * A client (with `options`) that wrote `old`, `text=hello` and five more
 * values on a memory-only server, which then closed: the client is offline
 * at revision `held`, and `port` is free for a server with another history.
 */
async function offlineAfterHistory(options: ConnectOptions = {}) {
  const first = await startServer();
  const port = first.address()!.port;
  const a = client(first, 'doc', options);
  cleanups.push(() => a.close());
  a.set('old', 'history');
  a.set('text', 'hello');
  for (let i = 0; i < 5; i++) a.set(`n${i}`, i);
  await a.whenSynced();
  const held = a.rev;
  await first.close();
  await until(() => a.status === 'offline');
  return { a, port, held };
}

/** A memory-only server on `port` whose `doc` is another history: `lines`, a revision each, written before it listens. */
async function newHistory(port: number, lines: readonly string[]): Promise<VarStreamServer> {
  const server = new VarStreamServer({ host: '127.0.0.1', port, logLevel: 'error' });
  cleanups.push(() => server.close());
  for (const line of lines) await server.write('doc', line);
  await server.listen();
  return server;
}

/** Every document synced at the server's revision, and equal to its tree. */
async function converged(server: VarStreamServer, docs: VarStreamDocument[]): Promise<void> {
  await until(
    () => {
      const rev = server.document('doc')?.rev ?? 0;
      return docs.every((d) => d.status === 'open' && d.pending === 0 && d.rev === rev);
    },
    'convergence',
    10_000,
  );
  const root = server.document('doc')?.root;
  for (const d of docs) expect(d.get('')).toEqual(root);
}

describe('client and real server', () => {
  it('a late client reads an emptied document as {} like the server (empty root in a snapshot)', async () => {
    const server = await serve();
    const a = open(server);
    await a.whenSynced();
    a.set('k', 1);
    a.delete('k');
    await converged(server, [a]);
    expect(server.document('doc')?.root).toEqual({});
    const late = open(server);
    await late.whenSynced();
    await converged(server, [a, late]);
    expect(late.get('')).toEqual({});
  });

  it('two clients converge; local changes show at once', async () => {
    const server = await serve();
    const a = open(server);
    const b = open(server);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.set('form', { firstname: 'Alice', zip: '01000', tags: ['x'] });
    expect(a.get('form.firstname')).toBe('Alice');
    expect(a.pending).toBe(1);
    b.push('list', { name: 'Bob', age: 30 });
    b.apply('+=', 'count', 2);
    await converged(server, [a, b]);
    expect(b.get('form.zip')).toBe('01000');
    expect(a.get('list')).toEqual([{ name: 'Bob', age: 30 }]);
  });

  it('applies every operator and array helper as the server does', async () => {
    const server = await serve();
    const a = open(server);
    const b = open(server);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.set('n', 10);
    a.apply('-=', 'n', 3);
    a.apply('*=', 'n', 4);
    a.apply('/=', 'n', 2);
    a.apply('%=', 'n', 5);
    a.set('s', 'ab');
    a.apply('+=', 's', 12);
    a.push('list', 'x');
    a.push('list', { k: 'v' });
    a.setLast('list', 'y');
    a.apply('&=', 'copy', 'list');
    a.reset('other', 'first');
    a.reset('empty');
    a.applyText('obj.+.name=Ann\n^.age=3\nobj.+.name=Bob\n');
    a.delete('list.0'); // on a string, VarStream's empty `=` empties it
    expect(a.get('')).toEqual({
      n: 4,
      s: 'ab12',
      list: ['', 'y'],
      copy: ['', 'y'], // `&=` shares the array
      other: ['first'],
      empty: [],
      obj: [{ name: 'Ann', age: 3 }, { name: 'Bob' }],
    });
    await converged(server, [a, b]);
  });

  it('keeps both appends when two people type at the end of the same text', async () => {
    const server = await serve();
    const a = open(server);
    const b = open(server);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.set('message', 'Hello');
    await converged(server, [a, b]);
    a.apply('+=', 'message', ' from A');
    b.apply('+=', 'message', ' from B');
    await converged(server, [a, b]);
    expect([' from A from B', ' from B from A'].map((s) => `Hello${s}`)).toContain(
      a.get('message'),
    );
  });

  it('reverts a change the server rejects and reports its code', async () => {
    const server = await serve();
    const a = open(server);
    const b = open(server);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    a.set('x', 'text');
    await converged(server, [a, b]);
    const rejections: Rejection[] = [];
    b.on('reject', (r) => rejections.push(r));
    // Concurrent: A makes x a boolean while B appends to it.
    a.set('x', true);
    b.apply('+=', 'x', 'more');
    await converged(server, [a, b]);
    expect(b.get('x')).toBe(true);
    expect(rejections.map((r) => r.code)).toEqual(['TYPE_MISMATCH']);
    b.set('bad.constructor', 1);
    await until(() => rejections.length === 2);
    expect(rejections[1]!.code).toMatch(/UNSAFE_KEY|FORBIDDEN/);
    await converged(server, [a, b]);
  });

  it('keeps local changes while offline and resumes, each change applied once', async () => {
    const server = await serve();
    const a = open(server);
    const b = open(server);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    const statuses: Status[] = [];
    a.on('status', (s) => statuses.push(s));
    a.apply('+=', 'n', 1);
    a.kill(); // the frame may or may not have reached the server
    a.apply('+=', 'n', 1);
    b.apply('+=', 'n', 10);
    await until(() => a.sockets.length === 2);
    await converged(server, [a, b]);
    expect(a.get('n')).toBe(12);
    expect(statuses).toContain('offline');
  });

  it('keeps an idle connection alive with #vs ping / pong', async () => {
    const server = await serve();
    // A generous timeout (a busy machine can stall a test process for a
    // while); the pongs keep coming for twice that long.
    const a = open(server, { heartbeatMs: 50, timeoutMs: 1_000 });
    await a.whenSynced();
    const pongs: number[] = [];
    a.sockets[0]!.on('message', (data) => {
      if (String(data).startsWith('#vs pong')) pongs.push(Date.now());
    });
    await until(() => pongs.length >= 40, 'forty pongs', 30_000); // well past the timeout
    expect(a.sockets).toHaveLength(1);
    expect(a.status).toBe('open');
  });

  it('stops on a fatal close code from the server', async () => {
    const server = await serve({
      authenticate: () => {
        throw new Error('no');
      },
    });
    const a = open(server, { token: 'bad' });
    await expect(a.whenSynced()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(a.status).toBe('closed');
  });

  it('closes while its ws socket is still connecting without an unhandled error event', async () => {
    const server = await serve();
    const a = open(server);
    const socket = a.sockets[0]!;
    expect(socket.readyState).toBe(WebSocket.CONNECTING);
    a.close();
    // ws emits 'error' for a socket closed before it opened, on the next tick:
    // an 'error' nobody listens to is thrown by Node (it would end a Node app).
    expect(socket.listenerCount('error')).toBeGreaterThan(0);
    await until(() => socket.readyState === WebSocket.CLOSED, 'the socket closed');
    expect(a.status).toBe('closed');
  });

  it('follows scope and read-only access from the authenticate hook', async () => {
    const server = await serve({
      authenticate: ({ token }: { token: string | undefined }) =>
        token === 'reader' ? { access: 'read' } : { access: 'write', scope: ['form'] },
    });
    const writer = open(server, { token: 'writer' });
    const reader = open(server, { token: 'reader' });
    await Promise.all([writer.whenSynced(), reader.whenSynced()]);
    expect(reader.access).toBe('read');
    expect(() => reader.set('form.x', 1)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const rejections: Rejection[] = [];
    writer.on('reject', (r) => rejections.push(r));
    writer.set('form.name', 'ok');
    writer.set('other', 'no');
    expect(writer.get('other')).toBe('no'); // optimistic...
    await until(() => rejections.length === 1);
    expect(rejections[0]!.code).toBe('FORBIDDEN'); // ...then reverted
    await converged(server, [writer, reader]);
    expect(reader.get('')).toEqual({ form: { name: 'ok' } });
  });

  it('shares presence and sees peers leave', async () => {
    const server = await serve();
    const a = open(server, { presence: { name: 'Ann' } });
    const b = open(server);
    await Promise.all([a.whenSynced(), b.whenSynced()]);
    await until(() => b.presence.get(a.conn!)?.name === 'Ann');
    a.setPresence({ name: 'Ann', focus: 'form.zip' });
    await until(() => b.presence.get(a.conn!)?.focus === 'form.zip');
    const conn = a.conn!;
    a.close();
    await until(() => !b.presence.has(conn));
  });

  it('re-sends changes stored by a closed page, once', async () => {
    const server = await serve();
    const storage = new MemoryStorage();
    const b = open(server);
    await b.whenSynced();
    const first = open(server, { storage });
    await first.whenSynced();
    first.kill(); // offline...
    first.apply('+=', 'n', 5); // ...changes made...
    first.close(); // ...and the page closed before they were sent
    expect(b.get('n')).toBeUndefined();
    const second = open(server, { storage });
    expect(second.get('n')).toBe(5);
    await converged(server, [b, second]);
    expect(b.get('n')).toBe(5);
  });

  it('survives a server restart on the same data (resume or snapshot)', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'vs-client-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const first = await startServer({ dataDir, fsync: 'always' });
    const port = first.address()!.port;
    const a = client(first);
    cleanups.push(() => a.close());
    await a.whenSynced();
    a.set('kept', 'yes');
    await a.whenSynced();
    await first.close(); // 1001: the client goes offline and retries
    await until(() => a.status === 'offline');
    a.set('offline', 'change');
    const second = await serve({ dataDir, fsync: 'always', port });
    await converged(second, [a]);
    expect(second.document('doc')!.root).toEqual({ kept: 'yes', offline: 'change' });
  });

  // Regression: the hello left out the welcome's epoch, so a server that had
  // lost its history (memory only, restarted) replayed its new revisions
  // after the client's `rev` onto the old tree: the client kept what the
  // server no longer had, missed the rest, and said it was synced; and its
  // pending splices kept bases from the old history (BAD_META, or transformed
  // against unrelated revisions).
  it('after the server lost its history, takes the new one (snapshot) and keeps its offline edits', async () => {
    const { a, port, held } = await offlineAfterHistory();
    a.splice('text', 5, 0, ' world'); // on the text as it was: based on the old history
    a.set('offline', 'change');
    // Memory only: a new history, already past the revision the client holds.
    // It is written to before it listens: the client must meet it past `held`.
    const lines = ['text=fresh\n', ...Array.from({ length: held }, (_, i) => `m${i}=${i}\n`)];
    const second = await newHistory(port, lines);
    a.reconnect();
    await converged(second, [a]);
    const root = second.document('doc')!.root as Record<string, unknown>;
    expect(a.get([])).toEqual(root);
    expect(root).not.toHaveProperty('old');
    expect(root.offline).toBe('change');
    expect(root[`m${held - 1}`]).toBe(held - 1);
    // The splice applies to the new text as written (its old base means nothing here).
    expect(root.text).toBe('fresh world');
  });

  // Regression: pending changes were stored without the history their base
  // belongs to, so a page reloaded after the server lost its history sent
  // its stored splices with bases from the old one (BAD_META for a base
  // ahead of the new history, or transformed against unrelated revisions).
  it('a splice stored by a closed page, restored after the server lost its history, is based on the new one', async () => {
    const storage = new MemoryStorage();
    const { a, port, held } = await offlineAfterHistory({ storage });
    a.splice('text', 5, 0, ' world'); // based on revision `held` of the old history
    a.close(); // the page closed: the splice waits in storage
    const second = await newHistory(port, ['text=fresh\n', 'other=1\n']);
    expect(second.document('doc')!.rev).toBeLessThan(held); // a new history, behind `held`
    const b = client(second, 'doc', { storage });
    cleanups.push(() => b.close());
    const rejections: string[] = [];
    b.on('reject', (r) => rejections.push(r.code));
    await converged(second, [b]);
    expect(rejections).toEqual([]);
    expect(b.get([])).toEqual(second.document('doc')!.root);
    expect(second.document('doc')!.root).toEqual({ text: 'fresh world', other: 1 });
  });
});

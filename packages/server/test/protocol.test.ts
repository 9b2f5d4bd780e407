import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger, VarStreamServer } from '../src/index.js';
import { connectAll, TestClient } from './helpers/client.js';
import { startServer, type TestServer, tempDir } from './helpers/server.js';
import { until } from './helpers/wait.js';

let server: TestServer | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('welcome and resume', () => {
  it('welcomes with the revision, access and a snapshot', async () => {
    server = await startServer();
    await server.server.write('default', 'form.firstname=Alice\nform.message=Hello\n');
    const client = new TestClient(server.url);
    await client.welcome();
    expect(client.frames[0]).toMatch(
      /^#vs welcome v=2 doc=default conn=\S+ rev=1 epoch=[\w-]+ access=write\n#vs snapshot rev=1\nform\.firstname=Alice\n\^\.message=Hello\n$/,
    );
    expect(client.root).toEqual({ form: { firstname: 'Alice', message: 'Hello' } });
    client.close();
  });

  it('replays the missed revisions to a client that resumes, a snapshot when too old', async () => {
    server = await startServer({ resumeLogRevisions: 5 });
    const [writer, follower] = await connectAll(server.url, 2);
    await writer!.settled(writer!.change('a=1\n'));
    await follower!.atRev(1);
    follower!.close();
    await follower!.closedWith();
    for (let i = 0; i < 3; i++) await writer!.settled(writer!.change(`a+=1\nb.+=${i}\n`));

    const resumed = new TestClient(server.url, { resume: follower });
    await resumed.atRev(4);
    expect(resumed.metasOf('replay')).toEqual([{ verb: 'replay', fields: { from: '1' } }]);
    expect(resumed.metasOf('snapshot')).toEqual([]);
    expect(resumed.root).toEqual(server.server.document('default')!.root);
    resumed.close();
    await resumed.closedWith();

    for (let i = 0; i < 10; i++) await writer!.settled(writer!.change(`a+=1\n`));
    const late = new TestClient(server.url, { resume: resumed });
    await late.atRev(14);
    expect(late.metasOf('replay')).toEqual([]);
    expect(late.metasOf('snapshot')).toHaveLength(1);
    expect(late.root).toEqual(server.server.document('default')!.root);

    // A client from the future (the server lost revisions) gets a snapshot too.
    const future = new TestClient(server.url, { rev: 99 });
    await future.welcome();
    expect(future.metasOf('snapshot')).toHaveLength(1);
    for (const c of [writer!, late, future]) c.close();
  });

  it('never replays another history: a memory-only server restarted gets a snapshot', async () => {
    server = await startServer();
    const client = new TestClient(server.url);
    await client.welcome();
    expect(client.epoch).toMatch(/^[A-Za-z0-9_-]+$/);
    await client.settled(client.change('old=1\n'));
    client.close();
    await server.close();
    server = await startServer();
    for (let i = 0; i < 5; i++) await server.server.write('default', `new=${i}\n`);
    // Revision 1 exists in the new history too, but it is another revision 1.
    const resumed = new TestClient(server.url, { resume: client });
    await resumed.atRev(5);
    expect(resumed.metasOf('replay')).toEqual([]);
    expect(resumed.metasOf('snapshot')).toHaveLength(1);
    expect(resumed.root).toEqual({ new: 4 });
    expect(resumed.epoch).not.toBe(client.epoch);
    resumed.close();
  });

  it('resumes across a restart: the journal feeds the resume log', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    server = await startServer({ dataDir: dir.path });
    const [writer, follower] = await connectAll(server.url, 2);
    await writer!.settled(writer!.change('x=1\n'));
    await follower!.atRev(1);
    follower!.close();
    await writer!.settled(writer!.change('x+=1\ny=2\n'));
    writer!.close();
    await server.close();
    server = await startServer({ dataDir: dir.path });
    const resumed = new TestClient(server.url, { resume: follower });
    await resumed.atRev(2);
    expect(resumed.epoch).toBe(follower!.epoch);
    expect(resumed.metasOf('replay')).toHaveLength(1);
    expect(resumed.root).toEqual({ x: 2, y: 2 });
    resumed.close();
  });

  it('applies a re-sent change id once and acknowledges it as a duplicate', async () => {
    server = await startServer();
    const client = new TestClient(server.url, { client: 'k7Qx2' });
    await client.welcome();
    await client.settled(client.change('counter+=5\n'));
    client.close();
    await client.closedWith();
    const again = new TestClient(server.url, { resume: client });
    await again.welcome();
    again.send('#vs change id=k7Qx2:1\ncounter+=5\n');
    await until(() => again.metasOf('ack').length === 1, 'duplicate ack');
    expect(again.metasOf('ack')[0]).toEqual({
      verb: 'ack',
      fields: { id: 'k7Qx2:1', rev: '1', duplicate: '1' },
    });
    expect(server.server.document('default')!.root).toEqual({ counter: 5 });
    again.close();
  });
});

describe('delivery', () => {
  it('sends every change to every client, its writer included, plain or protocol', async () => {
    server = await startServer();
    const proto = new TestClient(server.url);
    const plain = new TestClient(server.url, { protocol: false });
    await Promise.all([proto.welcome(), plain.welcome()]);
    plain.send('from.plain=1\n');
    await plain.atRev(1);
    const id = proto.change('from.proto=1\n');
    await proto.settled(id);
    plain.send('#vs change id=plain:1\nfrom.plain=2\n');
    // A plain writer's id comes back in its own section (its acknowledgement), no extra line.
    await until(() => plain.acked.has('plain:1'), 'plain echo');
    await proto.atRev(3);
    const plainFrames = plain.frames.join('');
    expect(plainFrames).toContain(`#vs change conn=${plain.conn}\nfrom.plain=1\n`);
    expect(plainFrames).toContain(`#vs change conn=${proto.conn} id=${id}\nfrom.proto=1\n`);
    expect(plainFrames).toContain(`#vs change conn=${plain.conn} id=plain:1\nfrom.plain=2\n`);
    expect(plain.metasOf('ack')).toEqual([]);
    expect(proto.frames.join('')).toContain(`#vs change conn=${proto.conn} id=${id}\n`);
    expect(plain.rev).toBe(3); // revisions 1, 2, 3 implied, none missing
    const root = server.server.document('default')!.root;
    expect(plain.root).toEqual(root);
    expect(proto.root).toEqual(root);
    proto.close();
    plain.close();
  });

  it('compact heads for version 2: revisions and own ids implied, named again after a rejection', async () => {
    server = await startServer();
    const writer = new TestClient(server.url, { client: 'w2' });
    const v1 = new TestClient(server.url, { version: 1 });
    const plain = new TestClient(server.url, { protocol: false });
    await Promise.all([writer.welcome(), v1.welcome(), plain.welcome()]);
    // One frame: two changes, a rejected one, two more, a change without id.
    writer.send(
      '#vs change s=1\na=1\n#vs change s=2\nb=2\n#vs change s=3\nc&=nowhere\n' +
        '#vs change s=4\nd=4\n#vs change id=w2:5\ne=5\n#vs change\nf=6\n#vs change s=6\ng=7\n',
    );
    await writer.settled('w2:6');
    for (const c of [v1, plain]) await c.atRev(6);
    const heads = (client: TestClient) =>
      client.frames
        .join('')
        .split('\n')
        .filter((line) => line.startsWith('#vs change'));
    expect(heads(writer)).toEqual([
      `#vs change conn=${writer.conn} id=w2:1`, // revision 1, after the welcome's 0; the connection's first id: named
      `#vs change conn=${writer.conn}`, // w2:2, implied
      `#vs change conn=${writer.conn} id=w2:4`, // after the rejected w2:3: named
      `#vs change conn=${writer.conn}`, // w2:5
      `#vs change conn=${writer.conn} id=`, // no id
      `#vs change conn=${writer.conn}`, // w2:6
    ]);
    expect(heads(plain)).toEqual(heads(writer)); // the same shared frame
    expect(heads(v1)).toEqual([
      `#vs change rev=1 conn=${writer.conn} id=w2:1`,
      `#vs change rev=2 conn=${writer.conn} id=w2:2`,
      `#vs change rev=3 conn=${writer.conn} id=w2:4`,
      `#vs change rev=4 conn=${writer.conn} id=w2:5`,
      `#vs change rev=5 conn=${writer.conn}`,
      `#vs change rev=6 conn=${writer.conn} id=w2:6`,
    ]);
    expect([...writer.acked]).toEqual(['w2:1', 'w2:2', 'w2:4', 'w2:5', 'w2:6']);
    expect([...writer.rejected.keys()]).toEqual(['w2:3']);
    const root = server.server.document('default')!.root;
    for (const c of [writer, v1, plain]) expect(c.root).toEqual(root);
    // `s=` needs a hello; with `id=` too it is malformed.
    plain.send('#vs change s=9\nx=1\n');
    writer.send('#vs change s=7 id=w2:7\nx=1\n');
    await until(() => plain.errors.length === 1 && writer.rejected.size === 1, 'BAD_META');
    expect(plain.errors[0]!.fields.code).toBe('BAD_META');
    for (const c of [writer, v1, plain]) c.close();
  });

  it('compresses the welcome (permessage-deflate offered), never the frames that follow', async () => {
    server = await startServer();
    const prose = 'Every client receives every change, its own included. '.repeat(60);
    await server.server.write('default', `form.message=${prose}\n`);
    const ws = new WebSocket(server.url, { perMessageDeflate: { threshold: 0 } });
    const frames: string[] = [];
    const wire: number[] = [];
    let socket: Socket | undefined;
    let last = 0;
    ws.once('upgrade', (response) => {
      socket = response.socket;
    });
    ws.on('message', (data) => {
      frames.push(data.toString());
      const read = socket!.bytesRead;
      wire.push(read - last);
      last = read;
    });
    await new Promise((resolve) => ws.once('open', resolve));
    last = socket!.bytesRead;
    expect(ws.extensions).toContain('permessage-deflate');
    await until(() => frames.length === 1, 'welcome');
    expect(wire[0]).toBeLessThan(frames[0]!.length / 4); // the snapshot, compressed
    // This client compresses what it sends (threshold 0): the server inflates it.
    ws.send(`big=${'x'.repeat(2_000)}\n`);
    await until(() => frames.length === 2, 'its echo');
    expect(frames[1]).toContain(`big=${'x'.repeat(2_000)}`);
    expect(wire[1]).toBeGreaterThan(2_000); // sent as it is
    expect((server.server.document('default')!.root as { big: string }).big).toHaveLength(2_000);
    ws.close();
  });

  it('closes (1009) a compressed frame that inflates past the payload cap', async () => {
    server = await startServer({ maxFrameBytes: 4_096 });
    const ws = new WebSocket(server.url, { perMessageDeflate: { threshold: 0 } });
    await new Promise((resolve) => ws.once('open', resolve));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.send(`bomb=${'0'.repeat(1_000_000)}\n`); // a few kilobytes on the wire
    expect(await closed).toBe(1009);
    expect(server.server.document('default')?.root ?? {}).toEqual({});
  });

  it('batches the changes of one event-loop turn into one frame per client', async () => {
    server = await startServer();
    const [writer, reader] = await connectAll(server.url, 2);
    const framesBefore = reader!.frames.length;
    const ids = writer!.changes(['a=1\n', 'b=2\n', 'c=3\n', 'a+=1\n', 'list.+=x\n']);
    for (const id of ids) await writer!.settled(id);
    await reader!.atRev(5);
    expect(reader!.frames.length - framesBefore).toBe(1);
    const frame = reader!.frames[reader!.frames.length - 1]!;
    expect(frame.match(/^#vs change /gm)).toHaveLength(5);
    const text = await server.server.metrics.text();
    expect(text).toMatch(/^varstream_broadcast_frames_total [1-9]/m);
    writer!.close();
    reader!.close();
  });

  it('drops a client that does not read (4503) without slowing the others', async () => {
    server = await startServer({ maxBufferedBytes: 64 * 1024, closeTimeoutMs: 30_000 });
    const [writer, healthy] = await connectAll(server.url, 2);
    const slow = new TestClient(server.url);
    await slow.welcome();
    // Stop reading: the server's send buffer for this client fills up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = 'z'.repeat(16 * 1024);
    let n = 0;
    const text = () => server!.server.metrics.text();
    while (!/^varstream_slow_consumers_total [1-9]/m.test(await text())) {
      const ids = writer!.changes(Array.from({ length: 8 }, () => `blob.v${n++ % 8}=${big}\n`));
      await writer!.settled(ids[ids.length - 1]!);
      if (n > 20_000) throw new Error('the slow client was never dropped');
    }
    await healthy!.atRev(server.server.document('default')!.rev);
    expect(healthy!.root).toEqual(server.server.document('default')!.root);
    (slow.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await slow.closedWith()).code).toBe(4503);
    writer!.close();
    healthy!.close();
  });

  it('answers #vs ping with #vs pong', async () => {
    server = await startServer();
    const client = new TestClient(server.url);
    await client.welcome();
    client.send('#vs ping t=abc%20123\n');
    await until(() => client.metasOf('pong').length === 1, 'pong');
    expect(client.metasOf('pong')[0]!.fields.t).toBe('abc 123');
    client.close();
  });

  it('terminates connections that stop answering WebSocket pings', async () => {
    server = await startServer({ heartbeatMs: 50 });
    const ws = new WebSocket(server.url, { autoPong: false } as WebSocket.ClientOptions);
    let code = 0;
    ws.on('close', (c) => {
      code = c;
    });
    await until(() => server!.server.connections === 1, 'connected');
    await until(() => server!.server.connections === 0, 'terminated', 5_000);
    await until(() => code !== 0, 'closed');
    expect(code).toBe(1006);
    const alive = new TestClient(server.url);
    await alive.welcome();
    // One that answers stays (several heartbeats).
    const heartbeats = 6;
    let seen = 0;
    alive.ws.on('ping', () => seen++);
    await until(() => seen >= heartbeats, 'pings');
    expect(alive.closed).toBeUndefined();
    alive.close();
  });
});

describe('presence', () => {
  it('broadcasts presence to the others, sends it in welcomes, never stores it, says leave', async () => {
    server = await startServer();
    const [alice, bob] = await connectAll(server.url, 2);
    alice!.send('#vs presence name=Alice focus=form.firstname color=%23e4572e\n');
    await until(() => bob!.metasOf('presence').length === 1, 'presence at bob');
    expect(bob!.metasOf('presence')[0]!.fields).toEqual({
      conn: alice!.conn,
      name: 'Alice',
      focus: 'form.firstname',
      color: '#e4572e',
    });
    const carol = new TestClient(server.url);
    await carol.welcome();
    expect(carol.metasOf('presence').map((m) => m.fields.name)).toEqual(['Alice']);
    // Cleared presence, then a change: the change comes after, alice never hears herself.
    alice!.send('#vs presence\n');
    await until(() => bob!.metasOf('presence').length === 2, 'cleared');
    expect(bob!.metasOf('presence')[1]!.fields).toEqual({ conn: alice!.conn });
    expect(alice!.metasOf('presence')).toEqual([]);
    expect(server.server.document('default')!.rev).toBe(0);
    alice!.close();
    await until(() => bob!.metasOf('leave').length === 1, 'leave');
    expect(bob!.metasOf('leave')[0]!.fields.conn).toBe(alice!.conn);
    // Too large: refused.
    bob!.send(`#vs presence name=${'x'.repeat(2_000)}\n`);
    await until(() => bob!.errors.length === 1, 'too large');
    expect(bob!.errors[0]!.fields.code).toBe('PRESENCE_TOO_LARGE');
    bob!.close();
    carol.close();
  });
});

describe('attached to an existing HTTP server', () => {
  it('takes the upgrades under its prefix and leaves the rest to the application', async () => {
    const http = createServer((req, res) => {
      if (req.url === '/metrics') return void server.requestHandler(req, res);
      res.end(`app:${req.url}`);
    });
    const server = new VarStreamServer({ server: http, prefix: '/sync', logger: silentLogger });
    await server.listen();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${server.address()!.port}`;
    expect(server.url).toBe(`ws://127.0.0.1:${server.address()!.port}/sync/`);
    const client = new TestClient(server.url, { doc: 'notes' });
    await client.welcome();
    expect(client.metasOf('welcome')[0]!.fields.doc).toBe('notes');
    await client.settled(client.change('a=1\n'));
    expect(await (await fetch(`${base}/hello`)).text()).toBe('app:/hello');
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      'varstream_changes_accepted_total 1',
    );
    await server.close();
    expect((await client.closedWith()).code).toBe(1001);
    // The application's server is still up; it is the application's to close.
    expect(await (await fetch(`${base}/still`)).text()).toBe('app:/still');
    await new Promise((resolve) => http.close(resolve));
  });
});

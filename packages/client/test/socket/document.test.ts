import { parseMeta } from '@varstream/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect } from '../../src/document/connect.js';
import type { ConnectOptions, Rejection, Status, VarStreamDocument } from '../../src/index.js';
import { ClientError, MemoryStorage } from '../../src/index.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { until } from '../helpers/wait.js';

let peer: ScriptedPeer;
const docs: VarStreamDocument[] = [];

beforeEach(async () => {
  peer = await ScriptedPeer.start();
});
afterEach(async () => {
  for (const d of docs.splice(0)) d.close();
  await peer.close();
});

function open(options: ConnectOptions = {}): VarStreamDocument {
  const doc = connect(peer.url, {
    WebSocket,
    backoff: { baseMs: 5, maxMs: 20 },
    ...options,
  });
  docs.push(doc);
  return doc;
}

const welcome = (rev: number, body = '') =>
  `#vs welcome v=1 doc=doc conn=c1 rev=${rev} access=write\n#vs snapshot rev=${rev}\n${body}`;

describe('document over a WebSocket', () => {
  it('says hello, loads the snapshot, and is synced', async () => {
    const doc = open();
    const statuses: Status[] = [];
    doc.on('status', (s) => statuses.push(s));
    expect(doc.status).toBe('connecting');
    const s = await peer.connection(0);
    expect(s.url).toBe('/doc?vs=1');
    const hello = parseMeta(s.received[0]!)!;
    expect(hello.verb).toBe('hello');
    expect(hello.fields).toEqual({ v: '2', client: doc.clientId, ext: 'splice' });
    s.socket.send(welcome(7, 'form.name=Alice\nform.zip="01000"\n'));
    await doc.whenSynced();
    expect(statuses).toEqual(['open']);
    expect(doc.get('form.zip')).toBe('01000');
    expect(doc.get(['form', 'name'])).toBe('Alice');
    expect(doc.rev).toBe(7);
    expect(doc.conn).toBe('c1');
  });

  it('sends a local change with its id, counts it pending until the echo', async () => {
    const doc = open();
    const s = await peer.connection(0);
    s.socket.send(welcome(1));
    await until(() => doc.status === 'open');
    const counts: number[] = [];
    doc.on('pending', (n) => counts.push(n));
    const id = doc.set('form', { name: 'Bob', zip: '12' });
    expect(doc.get('form.zip')).toBe('12');
    expect(doc.pending).toBe(1);
    const frame = await peer.frame(s, (f) => f.startsWith('#vs change'));
    expect(frame).toBe(`#vs change s=${id.split(':')[1]}\nform={}\nform.name=Bob\nform.zip="12"\n`);
    const synced = doc.whenSynced();
    s.socket.send(`#vs change rev=2 conn=c1 id=${id}\nform={}\nform.name=Bob\nform.zip="12"\n`);
    await synced;
    expect(counts).toEqual([1, 0]);
  });

  it('notifies subscribers of local and remote changes', async () => {
    const doc = open();
    const s = await peer.connection(0);
    s.socket.send(welcome(1, 'form.a=1\n'));
    await until(() => doc.status === 'open');
    const seen: [unknown, string][] = [];
    doc.subscribe('form.*', (v, p) => seen.push([v, p]));
    doc.set('form.b', 2);
    s.socket.send('#vs change rev=2 conn=c9\nform.a=5\n');
    await until(() => seen.length === 2);
    expect(seen).toEqual([
      [2, 'form.b'],
      [5, 'form.a'],
    ]);
  });

  it('reverts a rejected change and reports the server code and message', async () => {
    const doc = open();
    const s = await peer.connection(0);
    s.socket.send(welcome(1, 'n=1\n'));
    await until(() => doc.status === 'open');
    const rejections: Rejection[] = [];
    doc.on('reject', (r) => rejections.push(r));
    const id = doc.apply('+=', 'n', 2);
    expect(doc.get('n')).toBe(3);
    s.socket.send(
      `#vs reject id=${id} code=FORBIDDEN line=1 column=1 message=Writes%20are%20limited\n`,
    );
    await until(() => rejections.length === 1);
    expect(rejections[0]).toEqual({
      id,
      code: 'FORBIDDEN',
      message: 'Writes are limited',
      line: 1,
      column: 1,
      text: 'n+=2\n',
    });
    expect(doc.get('n')).toBe(1);
    expect(doc.pending).toBe(0);
  });

  it('keeps a change the server could not store (UNAVAILABLE) and sends it again after a reconnect', async () => {
    const doc = open();
    const s0 = await peer.connection(0);
    s0.socket.send(welcome(1, 'n=1\n'));
    await until(() => doc.status === 'open');
    const rejections: Rejection[] = [];
    doc.on('reject', (r) => rejections.push(r));
    const id = doc.apply('+=', 'n', 2);
    await until(() => s0.received.some((f) => f.includes('n+=2')));
    s0.socket.send(
      `#vs reject id=${id} code=UNAVAILABLE line=1 column=1 message=Redis%20is%20unavailable\n`,
    );
    // Not reverted, not reported: the client reconnects and sends it again.
    const s1 = await peer.connection(1);
    s1.socket.send(welcome(1, 'n=1\n'));
    await until(() => s1.received.some((f) => f.includes('n+=2')));
    expect(rejections).toEqual([]);
    expect(doc.get('n')).toBe(3);
    expect(doc.pending).toBe(1);
  });

  it('reconnect() connects at once instead of waiting out the backoff delay', async () => {
    // A backoff of a minute: without reconnect() the second connection would not come.
    const doc = open({ backoff: { baseMs: 60_000, maxMs: 60_000, random: () => 0.99 } });
    const s0 = await peer.connection(0);
    expect(doc.reconnect()).toBe(false); // connected: nothing to do
    s0.socket.send(welcome(5));
    await until(() => doc.status === 'open');
    s0.socket.close(1001, 'restarting');
    await until(() => doc.status === 'offline');
    expect(peer.sockets).toHaveLength(1);
    expect(doc.reconnect()).toBe(true);
    expect(doc.reconnect()).toBe(false); // already connecting
    const s1 = await peer.connection(1);
    expect(parseMeta(s1.received[0]!)!.fields).toMatchObject({ rev: '5' });
    doc.close();
    expect(doc.reconnect()).toBe(false); // closed for good
  });

  it('goes offline, keeps local changes, resumes with rev and re-sends each pending change once', async () => {
    const doc = open();
    const s0 = await peer.connection(0);
    s0.socket.send(welcome(5, 'list.0=a\n'));
    await until(() => doc.status === 'open');
    s0.socket.close(1001, 'restarting');
    await until(() => doc.status === 'offline');
    const a = doc.push('list', 'b');
    const b = doc.apply('+=', 'count', 1);
    expect(doc.get('list')).toEqual(['a', 'b']);
    const s1 = await peer.connection(1);
    expect(parseMeta(s1.received[0]!)!.fields).toEqual({
      v: '2',
      client: doc.clientId,
      rev: '5',
      ext: 'splice',
    });
    s1.socket.send(
      '#vs welcome v=1 doc=doc conn=c2 rev=6 access=write\n#vs replay from=5\n#vs change rev=6 conn=c7\nlist.1=z\n',
    );
    await until(() => s1.received.length === 3);
    expect(s1.received.slice(1)).toEqual([
      `#vs change s=${a.split(':')[1]}\nlist.+=b\n`,
      `#vs change s=${b.split(':')[1]}\ncount+=1\n`,
    ]);
    expect(doc.get('list')).toEqual(['a', 'z', 'b']);
    s1.socket.send(
      `#vs change rev=7 conn=c2 id=${a}\nlist.2=b\n#vs ack id=${b} rev=3 duplicate=1\n`,
    );
    await doc.whenSynced();
    expect(doc.get('list')).toEqual(['a', 'z', 'b']);
    expect(doc.get('count')).toBeUndefined(); // duplicate: already in a revision we hold (not in this script)
  });

  it('regression: resumed without the epoch of its last welcome (a server that restarted with another history replayed its revisions over the old tree)', async () => {
    const doc = open();
    const s0 = await peer.connection(0);
    s0.socket.send(
      '#vs welcome v=1 doc=doc conn=c1 rev=5 epoch=Old_1 access=write\n#vs snapshot rev=5\nx=1\n',
    );
    await until(() => doc.status === 'open');
    s0.socket.close(1001, 'restarting');
    const s1 = await peer.connection(1);
    expect(parseMeta(s1.received[0]!)!.fields).toEqual({
      v: '2',
      client: doc.clientId,
      rev: '5',
      epoch: 'Old_1',
      ext: 'splice',
    });
    // Another history: a snapshot; the next hello names the new epoch.
    s1.socket.send(
      '#vs welcome v=1 doc=doc conn=c2 rev=2 epoch=New_2 access=write\n#vs snapshot rev=2\ny=2\n',
    );
    await until(() => doc.rev === 2);
    expect(doc.get('')).toEqual({ y: 2 });
    s1.socket.close(1001, 'restarting');
    const s2 = await peer.connection(2);
    expect(parseMeta(s2.received[0]!)!.fields.epoch).toBe('New_2');
  });

  it('reads compact sections: revisions implied in a frame, its own ids implied', async () => {
    const doc = open();
    const s = await peer.connection(0);
    s.socket.send('#vs welcome v=2 doc=doc conn=c4 rev=1 access=write\n#vs snapshot rev=1\nn=0\n');
    await until(() => doc.status === 'open');
    const ids = [doc.set('a', 1), doc.set('b', 2), doc.set('c', 3)];
    await until(() => s.received.length === 4);
    expect(doc.pending).toBe(3);
    s.socket.send(
      `#vs change rev=2 conn=c4 id=${ids[0]}\na=1\n#vs change conn=c9 id=x:1\nn=5\n#vs change conn=c4\nb=2\n`,
    );
    await until(() => doc.pending === 1);
    expect(doc.rev).toBe(4);
    s.socket.send('#vs change conn=c4\nc=3\n'); // revision 5: the one after those held
    await doc.whenSynced();
    expect(doc.rev).toBe(5);
    expect([doc.get('n'), doc.get('a'), doc.get('b'), doc.get('c')]).toEqual([5, 1, 2, 3]);
  });

  it('stops on a fatal close code', async () => {
    const doc = open();
    const errors: ClientError[] = [];
    doc.on('error', (e) => errors.push(e));
    const synced = doc.whenSynced();
    const s = await peer.connection(0);
    s.socket.close(4401, 'bad token');
    await expect(synced).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(doc.status).toBe('closed');
    expect(errors[0]).toBeInstanceOf(ClientError);
    expect(errors[0]!.closeCode).toBe(4401);
    expect(() => doc.set('a', 1)).toThrow(expect.objectContaining({ code: 'CLOSED' }));
    expect(peer.sockets).toHaveLength(1);
  });

  it('pings while connected and reconnects when the server goes silent', async () => {
    const doc = open({ heartbeatMs: 40, timeoutMs: 250 });
    const s0 = await peer.connection(0);
    s0.socket.send(welcome(1));
    await until(() => doc.status === 'open');
    const ping = await peer.frame(s0, (f) => f.startsWith('#vs ping'));
    expect(parseMeta(ping)!.fields.t).toMatch(/^[0-9]+$/);
    // Never answer: the client must give up on this socket and open another.
    const s1 = await peer.connection(1);
    expect(doc.status).toBe('offline');
    s1.socket.send(welcome(1));
    await until(() => doc.status === 'open');
  });

  it('resynchronises with a fresh snapshot when revisions have a gap', async () => {
    const doc = open();
    const s0 = await peer.connection(0);
    s0.socket.send(welcome(1, 'a=1\n'));
    await until(() => doc.status === 'open');
    s0.socket.send('#vs change rev=5 conn=c3\na=5\n');
    const s1 = await peer.connection(1);
    expect(parseMeta(s1.received[0]!)!.fields.rev).toBeUndefined();
    s1.socket.send(welcome(5, 'a=5\n'));
    await until(() => doc.get('a') === 5);
  });

  it('sends its presence on connect and tracks the others', async () => {
    const doc = open({ presence: { name: 'Ann' } });
    const s = await peer.connection(0);
    s.socket.send(`${welcome(1)}#vs presence conn=c8 name=Bob focus=form.name\n`);
    await until(() => doc.presence.size === 1);
    expect(doc.presence.get('c8')).toEqual({ name: 'Bob', focus: 'form.name' });
    expect(await peer.frame(s, (f) => f.startsWith('#vs presence'))).toBe('#vs presence name=Ann');
    doc.setPresence({ name: 'Ann', focus: 'form.zip' });
    await peer.frame(s, (f) => f.includes('focus=form.zip'));
    s.socket.send('#vs leave conn=c8\n');
    await until(() => doc.presence.size === 0);
  });

  it('keeps pending changes, with their ids, across a reload', async () => {
    const storage = new MemoryStorage();
    const first = open({ storage });
    await peer.connection(0); // never welcomed: the change stays pending
    const id = first.set('draft', 'hello');
    first.close();
    const second = open({ storage });
    expect(second.clientId).not.toBe(first.clientId);
    expect(second.pending).toBe(1);
    expect(second.get('draft')).toBe('hello');
    const s = await peer.connection(1);
    s.socket.send(welcome(3));
    expect(await peer.frame(s, (f) => f.startsWith('#vs change'))).toBe(
      `#vs change id=${id}\ndraft=hello\n`,
    );
    const next = second.set('other', 1);
    expect(next).toBe(`${second.clientId}:1`);
  });

  it('sends a splice refused as stale again, based on its current revision, under a new id', async () => {
    const doc = open();
    const s = await peer.connection(0);
    s.socket.send(
      '#vs welcome v=1 doc=doc conn=c1 rev=4 access=write ext=splice\n#vs snapshot rev=4\nm=abc\n',
    );
    await until(() => doc.status === 'open');
    expect(doc.splices).toBe(true);
    const rejected: Rejection[] = [];
    doc.on('reject', (r) => rejected.push(r));
    const id = doc.splice('m', 3, 0, '!');
    const first = await peer.frame(s, (f) => f.includes('m~=3,0,!'));
    expect(first).toMatch(/^#vs change s=\d+ base=4\n/);
    s.socket.send(`#vs change rev=5 conn=c2\nm~=0,0,>\n#vs reject id=${id} code=SPLICE_STALE\n`);
    const again = await peer.frame(
      s,
      (f) => f.includes('m~=4,0,!') && !f.includes(id.split(':')[1]!),
    );
    expect(again).toMatch(/^#vs change s=\d+ base=5\nm~=4,0,!\n$/);
    expect(rejected).toEqual([]);
    expect(doc.get('m')).toBe('>abc!');
    expect(doc.pending).toBe(1);
  });

  // Regression: JavaScript callers met Node's `TypeError: Invalid URL`, a
  // socket that never opened (`ftp:`, `WebSocket: 42`), `PROTOCOL` "Cannot read
  // properties of undefined" for a missing path, an unknown operator shown in
  // the view then refused as BAD_SEGMENT, and a negative splice shown then refused.
  it('misuse is a ClientError with a code at the call, and nothing is sent', async () => {
    const misuse = (run: () => unknown) => {
      try {
        run();
      } catch (err) {
        return err instanceof ClientError ? err.code : `not a ClientError: ${String(err)}`;
      }
      return 'no error';
    };
    const connectTo = (url: unknown, options: ConnectOptions = { WebSocket }) =>
      misuse(() => connect(url as never, options));
    expect(connectTo(undefined)).toBe('BAD_URL');
    expect(connectTo('not a url')).toBe('BAD_URL');
    expect(connectTo('ftp://127.0.0.1:1/doc')).toBe('BAD_URL');
    expect(connectTo(peer.url, { WebSocket: 42 as never })).toBe('NO_WEBSOCKET');

    const doc = open();
    const s = await peer.connection(0);
    s.socket.send(welcome(1, 's=abc\n'));
    await doc.whenSynced();
    expect(misuse(() => doc.set(undefined as never, 1))).toBe('BAD_PATH');
    expect(misuse(() => doc.get(5 as never))).toBe('BAD_PATH');
    expect(misuse(() => doc.apply('??' as never, 'a', 1))).toBe('BAD_OPERATOR');
    expect(misuse(() => doc.splice('s', -1, 0, 'x'))).toBe('BAD_SPLICE');
    expect(misuse(() => doc.splice('s', 0.5, 0, 'x'))).toBe('BAD_SPLICE');
    expect(misuse(() => doc.subscribe('s', undefined as never))).toBe('BAD_ARGUMENT');
    const unknownEvent: string = 'changed';
    expect(misuse(() => doc.on(unknownEvent as 'status', () => {}))).toBe('BAD_ARGUMENT');
    expect(misuse(() => doc.on('status', 'log' as never))).toBe('BAD_ARGUMENT');
    expect(doc.get('')).toEqual({ s: 'abc' });
    expect(doc.pending).toBe(0);
    expect(s.received).toHaveLength(1); // the hello
    doc.close();
    expect(misuse(() => doc.setPresence({ name: 'Ann' }))).toBe('CLOSED');
  });

  it('regression: checkConnection() drops a socket the server no longer answers (the page kept showing "open" until the 35 s silence timeout after the network went away)', async () => {
    // A heartbeat of a minute: only the check can notice the silence.
    const doc = open({ heartbeatMs: 60_000, probeTimeoutMs: 100 });
    expect(doc.checkConnection()).toBe(false); // not connected yet
    const s0 = await peer.connection(0);
    s0.socket.send(welcome(1));
    await until(() => doc.status === 'open');
    const statuses: Status[] = [];
    doc.on('status', (status) => statuses.push(status));
    expect(doc.checkConnection()).toBe(true);
    expect(doc.checkConnection()).toBe(false); // one check at a time
    await peer.frame(s0, (f) => f.startsWith('#vs ping'));
    // Never answer: the client gives up on this socket and opens another.
    const s1 = await peer.connection(1);
    expect(statuses[0]).toBe('offline');
    s1.socket.send(welcome(1));
    await until(() => doc.status === 'open');

    doc.close();
  });

  it('checkConnection() keeps a socket the server answers', async () => {
    const doc = open({ heartbeatMs: 60_000, probeTimeoutMs: 2_000 });
    const s0 = await peer.connection(0);
    s0.socket.send(welcome(1));
    await until(() => doc.status === 'open');
    expect(doc.checkConnection()).toBe(true);
    const ping = await peer.frame(s0, (f) => f.startsWith('#vs ping'));
    s0.socket.send(`#vs pong t=${parseMeta(ping)!.fields.t}`);
    // A new check can start once the first one has ended (with the socket kept, or not).
    await until(
      () => doc.status !== 'open' || doc.checkConnection(),
      'the first check to end',
      10_000,
    );
    expect(doc.status).toBe('open');
    expect(peer.sockets).toHaveLength(1);
    expect(s0.closed).toBe(false);
  });
});

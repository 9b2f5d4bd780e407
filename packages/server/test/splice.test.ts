import { afterEach, describe, expect, it } from 'vitest';
import { connectAll, TestClient } from './helpers/client.js';
import { startServer, type TestServer, tempDir } from './helpers/server.js';

let server: TestServer | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const MESSAGE = 'form.message=Meeting on Monday at noon\n';

async function setUp(options = {}) {
  server = await startServer(options);
  await server.server.write('default', MESSAGE);
  const [a, b] = await connectAll(server.url, 2, { ext: 'splice' });
  const [old] = await connectAll(server.url, 1); // a protocol client without the extension
  const plain = new TestClient(server.url, { protocol: false });
  await plain.welcome();
  return { a: a!, b: b!, old: old!, plain };
}

function message(): unknown {
  return (server!.server.document('default')!.root as { form: { message: string } }).form.message;
}

describe('text splices (~=): the server transforms concurrent splices', () => {
  it('keeps two concurrent inserts in the middle of one string; plain readers get the value', async () => {
    const { a, b, old, plain } = await setUp();
    expect(a.metasOf('welcome')[0]?.fields.ext).toBe('splice');
    expect(old.metasOf('welcome')[0]?.fields.ext).toBeUndefined();
    // Both based on revision 1: neither saw the other.
    const ia = a.change('form.message~=11,0,next \n', 1);
    const ib = b.change('form.message~=21,0,12 \n', 1);
    await a.settled(ia);
    await b.settled(ib);
    for (const c of [a, b, old, plain]) await c.atRev(3);
    expect(message()).toBe('Meeting on next Monday at 12 noon');
    for (const c of [a, b, old, plain]) expect(c.root).toEqual({ form: { message: message() } });
    // The second change was transformed: position 21 became 26.
    expect(a.frames.join('')).toContain('form.message~=26,0,12 \n');
    expect(old.frames.join('')).toContain('form.message=Meeting on next Monday at 12 noon\n');
    expect(old.frames.join('')).not.toContain('~=');
    expect(plain.frames.join('')).not.toContain('~=');
  });

  it('orders concurrent inserts at the same place by arrival, each run in one piece', async () => {
    const { a, b } = await setUp();
    const ia = a.change('form.message~=11,0,next \n', 1);
    await a.settled(ia);
    const ib = b.change('form.message~=11,0,this \n', 1);
    await b.settled(ib);
    // The later one goes first, right after the text both typed after.
    expect(message()).toBe('Meeting on this next Monday at noon');
    // A keeps typing after its own run (based on its change), B after its own.
    const ia2 = a.change('form.message~=16,0,big \n', 2);
    await a.settled(ia2);
    expect(message()).toBe('Meeting on this next big Monday at noon');
  });

  it('keeps text typed inside a range another client deletes', async () => {
    const { a, b } = await setUp();
    const ia = a.change('form.message~=11,7\n', 1); // deletes "Monday "
    const ib = b.change('form.message~=14,0,XY\n', 1); // types inside "Monday"
    await a.settled(ia);
    await b.settled(ib);
    expect(message()).toBe('Meeting on XYat noon');
    expect(a.root).toEqual(b.root);
  });

  it('voids a splice whose string was replaced meanwhile; a += is an insert at the end', async () => {
    const { a, b, old } = await setUp();
    await a.settled(a.change('form.message+=!\n', 1));
    await b.settled(b.change('form.message~=0,0,>\n', 1));
    expect(message()).toBe('>Meeting on Monday at noon!');
    await a.settled(a.change('form.message=Fresh\n', 3));
    const late = b.change('form.message~=1,0,LOST\n', 3);
    await b.settled(late);
    expect(b.acked.has(late)).toBe(true);
    expect(message()).toBe('Fresh');
    await old.atRev(5);
    expect(old.root).toEqual({ form: { message: 'Fresh' } });
  });

  it("leaves out the writer's own earlier splices: a client that pipelines its typing keeps it in order", async () => {
    const { a } = await setUp();
    const frame =
      `#vs change id=${a.clientId}:1 base=1\nform.message~=25,0,!\n` +
      `#vs change id=${a.clientId}:2 base=1\nform.message~=26,0,?\n`;
    a.send(frame);
    await a.settled(`${a.clientId}:2`);
    expect(message()).toBe('Meeting on Monday at noon!?');
  });

  it("keeps another writer's insert sequenced before the writer's first change when its restored second change replaces its own text", async () => {
    // The sync fuzz test's reload case: B's second change is based before its first one.
    server = await startServer();
    await server.server.write('default', 't=\n');
    const [a, b] = await connectAll(server.url, 2, { ext: 'splice' });
    a!.send(`#vs change id=${a!.clientId}:1 base=1\nt~=0,0,A\n`);
    await a!.settled(`${a!.clientId}:1`);
    b!.send(`#vs change id=${b!.clientId}:1 base=1\nt~=0,0,B\n`);
    await b!.settled(`${b!.clientId}:1`);
    const text = () => (server!.server.document('default')!.root as { t: string }).t;
    expect(text()).toBe('BA'); // the later insert goes first
    b!.close();
    // B reloads: its second change (replace its B by C) comes back with its stored base.
    const reloaded = new TestClient(server.url, { ext: 'splice', client: b!.clientId });
    await reloaded.welcome();
    reloaded.send(`#vs change id=${b!.clientId}:2 base=1\nt~=0,1,C\n`);
    await reloaded.settled(`${b!.clientId}:2`);
    expect(reloaded.rejected.size).toBe(0);
    expect(text()).toBe('CA');
    reloaded.close();
  });

  it('rejects bad splices and bases with clear codes, and changes nothing', async () => {
    const { a } = await setUp();
    const range = a.change('form.message~=99,0,x\n', 1);
    const split = a.change('form.emoji=😀\nform.emoji~=1,0,x\n', 1);
    const future = a.change('form.message~=0,0,x\n', 50);
    const malformed = a.change('form.message~=1;0\n', 1);
    for (const id of [range, split, future, malformed]) await a.settled(id);
    expect(a.rejected.get(range)?.fields.code).toBe('SPLICE_RANGE');
    expect(a.rejected.get(split)?.fields.code).toBe('SPLICE_RANGE');
    expect(a.rejected.get(future)?.fields.code).toBe('BAD_META');
    expect(a.rejected.get(malformed)?.fields.code).toBe('BAD_SPLICE');
    expect(message()).toBe('Meeting on Monday at noon');
  });

  it('rejects a splice based before the text history it keeps (maxTextHistory) with SPLICE_STALE', async () => {
    const { a, b } = await setUp({ maxTextHistory: 3 });
    for (let i = 0; i < 5; i++) await a.settled(a.change(`other.n${i}=1\n`));
    const stale = b.change('form.message~=0,0,x\n', 1);
    await b.settled(stale);
    expect(b.rejected.get(stale)?.fields.code).toBe('SPLICE_STALE');
    const fresh = b.change('form.message~=0,0,x\n', 6);
    await b.settled(fresh);
    expect(b.acked.has(fresh)).toBe(true);
  });

  it('rejects a splice that concurrent edits would cut into more than maxSpliceParts pieces', async () => {
    const { a, b } = await setUp({ maxSpliceParts: 3 });
    // B types three characters inside "Monday", one change each, based on what it saw.
    for (const [i, at] of [12, 14, 16].entries()) {
      await b.settled(b.change(`form.message~=${at},0,_\n`, 1 + i));
    }
    // A deletes "Monday" without having seen them: 4 pieces.
    const wide = a.change('form.message~=11,6\n', 1);
    await a.settled(wide);
    expect(a.rejected.get(wide)?.fields.code).toBe('SPLICE_STALE');
    const narrow = a.change('form.message~=11,2\n', 1); // "Mo": 2 pieces
    await a.settled(narrow);
    expect(a.acked.has(narrow)).toBe(true);
    expect(message()).toBe('Meeting on __n_day at noon');
  });

  it('a one-character edit inside a 2 KB message is under 100 bytes each way', async () => {
    const { a, b } = await setUp();
    const long = 'x'.repeat(2048);
    await a.settled(a.change(`form.message=${long}\n`));
    await b.atRev(2);
    const sent = `#vs change id=${a.clientId}:2 base=2\nform.message~=1024,0,y\n`;
    a.send(sent);
    const before = b.frames.length;
    await b.atRev(3);
    const received = b.frames.slice(before).join('');
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(100);
    expect(Buffer.byteLength(received)).toBeLessThanOrEqual(100);
  });

  it('journals the resulting value (plain VarStream) and replays splices to clients with the extension', async () => {
    const dir = await tempDir();
    cleanups.push(dir.remove);
    const { a, b } = await setUp({ dataDir: dir.path });
    b.close();
    await b.closedWith();
    await a.settled(a.change('form.message~=0,7,Call\n', 1));
    const back = new TestClient(server!.url, { resume: b, ext: 'splice' });
    await back.atRev(2);
    expect(back.frames[0]).toContain('form.message~=0,7,Call\n');
    expect(back.root).toEqual({ form: { message: 'Call on Monday at noon' } });
    await server!.close();
    server = await startServer({ dataDir: dir.path });
    const reloaded = new TestClient(server.url, { ext: 'splice' });
    await reloaded.welcome();
    expect(reloaded.root).toEqual({ form: { message: 'Call on Monday at noon' } });
    reloaded.close();
  });
});

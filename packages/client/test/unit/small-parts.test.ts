import { CloseCode, isFatalClose, parseMeta, SectionReader } from '@varstream/protocol';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/connection/backoff.js';
import { protocolUrl } from '../../src/connection/websocket.js';
import { PendingStore } from '../../src/pending/pending-store.js';
import { PresenceMap, presenceLine } from '../../src/presence/presence.js';
import { loadState, storageKey } from '../../src/storage/persisted-state.js';
import { MemoryStorage } from '../../src/storage/storage.js';
import { interpretFrame } from '../../src/sync/interpret.js';
import { intField, parseServerFrame } from '../../src/sync/server-frame.js';

describe('backoff', () => {
  it('grows exponentially with full jitter, capped, and resets', () => {
    const b = new Backoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    b.reset();
    expect(b.next()).toBe(99);
    const low = new Backoff({ random: () => 0 });
    expect(low.next()).toBe(0);
    const delays = Array.from({ length: 200 }, () => new Backoff({ baseMs: 1000 }).next());
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(1000);
  });
});

describe('presence', () => {
  it('writes a presence line and tracks the others by conn', () => {
    const line = presenceLine({
      name: 'Al ice',
      focus: 'form.name',
      color: '#e4572e',
      gone: undefined,
    });
    expect(line).toBe('#vs presence name=Al%20ice focus=form.name color=%23e4572e');
    expect(parseMeta(line)?.fields).toEqual({
      name: 'Al ice',
      focus: 'form.name',
      color: '#e4572e',
    });
    expect(() => presenceLine({ Bad: 'x' })).toThrow();
    const peers = new PresenceMap();
    expect(peers.update({ conn: 'c1', name: 'A' })).toBe(true);
    expect(peers.update({ conn: 'c2', name: 'B', focus: 'x' })).toBe(true);
    expect(peers.update({ conn: 'c2' })).toBe(true); // no field: cleared
    expect([...peers.snapshot()]).toEqual([['c1', { name: 'A' }]]);
    expect(peers.leave('c1')).toBe(true);
    expect(peers.snapshot().size).toBe(0);
  });
});

describe('server frames', () => {
  it('groups statements under their section, reads meta lines with parseMeta', () => {
    const { messages, errors } = parseServerFrame(
      '#vs welcome v=1 doc=default conn=c12 rev=42 access=write\n#vs snapshot rev=42\nform.a=1\n^.b="2"\n# a plain comment\n#vs change rev=43 conn=c7 id=k:1\nlist.0=x\n#vs presence conn=c7 name=Bob\n',
    );
    expect(errors).toEqual([]);
    expect(messages.map((m) => [m.verb, m.statements.length])).toEqual([
      ['welcome', 0],
      ['snapshot', 2],
      ['change', 1],
      ['presence', 0],
    ]);
    expect(messages[1]!.statements[1]!.path).toEqual(['form', 'b']);
    expect(intField(messages[0]!.fields, 'rev')).toBe(42);
    expect(intField({ rev: 'x' }, 'rev')).toBeUndefined();
  });

  it('reports syntax errors and statements outside a section', () => {
    expect(parseServerFrame('a..b=1\n').errors).toHaveLength(1);
    expect(parseServerFrame('a=1\n').messages[0]!.verb).toBe('plain');
  });

  it('turn into replica input, rejections, presence and errors', () => {
    const frame = parseServerFrame(
      '#vs welcome v=1 doc=d conn=c1 rev=3 access=read\n#vs replay from=2\n#vs change rev=3 conn=c2 id=k:1\na=1\n#vs ack id=k:2 rev=2 duplicate=1\n#vs reject id=k:3 code=FORBIDDEN line=1 column=2 message=no%20way\n#vs error code=BAD_META message=bad\n#vs presence conn=c2 name=B\n#vs leave conn=c3\n#vs pong t=1\n#vs future x=1\n',
    );
    const out = interpretFrame(frame.messages, new SectionReader('k'));
    expect(out.welcome).toEqual({ conn: 'c1', access: 'read', ext: [] });
    expect(out.batch.map((i) => i.kind)).toEqual(['change', 'ack', 'reject']);
    expect(out.rejections.get('k:3')).toEqual({
      id: 'k:3',
      code: 'FORBIDDEN',
      message: 'no way',
      line: 1,
      column: 2,
    });
    expect(out.errors.map((e) => e.code)).toEqual(['BAD_META']);
    expect(out.presence).toEqual([
      { kind: 'state', fields: { conn: 'c2', name: 'B' } },
      { kind: 'leave', conn: 'c3' },
    ]);
    expect(out.resync).toBe(false);
    // A frame whose first section has no revision cannot be followed.
    const lost = parseServerFrame('#vs change conn=c2\na=1\n').messages;
    expect(interpretFrame(lost, new SectionReader('k')).resync).toBe(true);
  });

  it('uses the shared close codes', () => {
    expect(isFatalClose(CloseCode.UNAUTHORIZED)).toBe(true);
    expect(isFatalClose(CloseCode.GOING_AWAY)).toBe(false);
    expect(protocolUrl('ws://h:1/team/notes?token=t')).toBe('ws://h:1/team/notes?token=t&vs=1');
  });
});

describe('persisted pending changes', () => {
  it('keep each pending change with its id, never the token', () => {
    const storage = new MemoryStorage();
    const key = storageKey('ws://h:1/doc?token=secret');
    expect(key).toBe('varstream:ws://h:1/doc');
    const a = new PendingStore(storage, key);
    const c1 = a.create([], 'x+=1\n');
    a.create([], 'y=2\n'); // acknowledged: not saved as pending
    a.save([c1]);
    expect(loadState(storage, key)).toEqual({
      [a.clientId]: [{ id: `${a.clientId}:1`, body: 'x+=1\n' }],
    });
    // A reload: a new instance adopts the change under its id, and numbers its own apart.
    const b = new PendingStore(storage, key);
    expect(b.clientId).not.toBe(a.clientId);
    expect(b.takeRestored().map((c) => [c.id, c.body])).toEqual([[`${a.clientId}:1`, 'x+=1\n']]);
    expect(b.create([], 'z=1\n').id).toBe(`${b.clientId}:1`);
    b.save([]);
    expect(storage.get(key)).toBeUndefined();
  });

  it('let two live instances share a key without mixing their changes', () => {
    const storage = new MemoryStorage();
    const a = new PendingStore(storage, 'k');
    const b = new PendingStore(storage, 'k');
    const ca = a.create([], 'a=1\n');
    const cb = b.create([], 'b=1\n');
    a.save([ca]);
    b.save([cb]);
    expect(Object.keys(loadState(storage, 'k')).sort()).toEqual([a.clientId, b.clientId].sort());
    a.save([]);
    expect(Object.keys(loadState(storage, 'k'))).toEqual([b.clientId]);
  });

  it('continue an explicit client id after its stored changes, ignore garbage', () => {
    const storage = new MemoryStorage();
    const a = new PendingStore(storage, 'k', 'fixed');
    a.create([], 'a=1\n');
    a.save([a.create([], 'a=2\n')]);
    expect(new PendingStore(storage, 'k', 'fixed').create([], 'a=3\n').id).toBe('fixed:3');
    storage.set('k', '{not json');
    expect(loadState(storage, 'k')).toEqual({});
    storage.set('k', JSON.stringify({ v: 2, clients: { x: [{ id: 'bad id', body: 'a=1' }] } }));
    expect(loadState(storage, 'k')).toEqual({});
  });
});

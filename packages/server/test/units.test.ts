import { applyTextOp, type TextOp, Tree } from '@varstream/varstream';
import { describe, expect, it } from 'vitest';
import { parseHello } from '../src/connection/hello.js';
import { DedupTable } from '../src/document/dedup.js';
import { docNameFromPath } from '../src/document/doc-name.js';
import type { Member } from '../src/document/member.js';
import { Outbox } from '../src/document/outbox.js';
import { ResumeLog } from '../src/document/resume-log.js';
import { makeRevision } from '../src/document/revision.js';
import { TextHistory } from '../src/document/text-history.js';
import { decodeJournal, encodeJournalHeader, encodeRecord } from '../src/journal/record.js';
import { countLines } from '../src/limits/count-lines.js';
import { MeasureBudget } from '../src/limits/measure-budget.js';
import { TokenBucket } from '../src/limits/token-bucket.js';
import { REMOVED_WALK_VALUES, removedSize, writtenSize } from '../src/limits/value-size.js';
import { decodeReplicaSnapshot, encodeReplicaSnapshot } from '../src/redis/replica-snapshot.js';
import { decodeSnapshot, encodeSnapshot } from '../src/snapshot/snapshot-file.js';
import { mimeType } from '../src/static/mime.js';
import { docFileBase } from '../src/storage/file-names.js';

describe('journal records', () => {
  const records = [
    { rev: 7, conn: 'c1.ab', id: 'k:1', body: 'form.firstname=Mickaël\n^.note="a\\nb"\n' },
    { rev: 8, conn: undefined, id: undefined, body: '' },
    { rev: 9, conn: 'c2.ab', id: undefined, body: 'list.!=x\n' },
  ];
  const header = encodeJournalHeader('default', 'Xq3_b9Zk');
  const text = records.map(encodeRecord).join('');
  const data = Buffer.from(header + text, 'utf8');

  it('round-trip, the header is a #vs change line with len and crc', () => {
    const len = Buffer.byteLength(records[0]!.body);
    expect(text).toMatch(
      new RegExp(`^#vs change rev=7 conn=c1\\.ab id=k:1 len=${len} crc=[0-9a-f]{8}\n`),
    );
    const decoded = decodeJournal(data);
    expect(decoded.epoch).toBe('Xq3_b9Zk');
    expect(decoded.headerBytes).toBe(Buffer.byteLength(header));
    expect(decoded.tail).toBeUndefined();
    expect(decoded.validBytes).toBe(data.length);
    expect(decoded.records.map(({ end: _, ...r }) => r)).toEqual(records);
  });

  it('a journal cut anywhere gives the whole records before the cut', () => {
    const ends = decodeJournal(data).records.map((r) => r.end);
    for (let cut = 0; cut <= data.length; cut++) {
      const decoded = decodeJournal(data.subarray(0, cut));
      const whole = ends.filter((end) => end <= cut);
      expect(decoded.records).toHaveLength(whole.length);
      const headerBytes = Buffer.byteLength(header);
      expect(decoded.validBytes).toBe(whole.at(-1) ?? (cut >= headerBytes ? headerBytes : 0));
    }
  });

  it('a flipped byte anywhere is detected', () => {
    for (let at = 0; at < data.length; at++) {
      const bad = Buffer.from(data);
      bad[at] = bad[at]! ^ 0x01;
      const decoded = decodeJournal(bad);
      expect(decoded.validBytes, `byte ${at}`).toBeLessThan(data.length);
    }
  });
});

describe('snapshot files', () => {
  it('round-trip and corruption', () => {
    const data = encodeSnapshot({
      doc: 'team/notes',
      epoch: 'e1',
      rev: 42,
      text: 'a=1\n',
      applied: [{ id: 'k:3', rev: 40 }],
    });
    const decoded = decodeSnapshot(data, 'x');
    expect(decoded).toEqual({
      doc: 'team/notes',
      epoch: 'e1',
      rev: 42,
      body: '#vs applied id=k:3 rev=40\na=1\n',
    });
    const bad = Buffer.from(data);
    bad[bad.length - 2] = 0x32;
    expect(() => decodeSnapshot(bad, 'x')).toThrow(/CRC mismatch/);
    expect(() => decodeSnapshot(data.subarray(0, data.length - 1), 'x')).toThrow(/expected/);
  });
});

describe('small parts', () => {
  it('countLines counts LF, CRLF, lone CR and a last unterminated line', () => {
    const count = (text: string, max = 100) => countLines(Buffer.from(text), max);
    expect([count(''), count('a'), count('a\n'), count('a\nb'), count('a\r\nb\r\n')]).toEqual([
      0, 1, 1, 2, 2,
    ]);
    expect([count('a\rb\r'), count('\r\r\r'), count('\n'.repeat(50), 10)]).toEqual([2, 3, 11]);
  });

  it('MeasureBudget: measures paid before, work paid after (in debt: refused until refilled)', () => {
    const budget = new MeasureBudget(1_000, 2_000, 0); // 1 000 bytes a second, 2 000 at most
    expect(budget.take(1_500, 0)).toBe(true);
    expect(budget.take(1_000, 0)).toBe(false);
    expect(budget.take(5_000, 1_000)).toBe(false); // larger than the capacity: needs it full
    expect(budget.take(5_000, 1_500)).toBe(true);
    expect(budget.available(1_500)).toBe(false);
    expect(budget.available(1_501)).toBe(true);
    budget.spend(10_000, 1_501); // debt, floored at minus the capacity
    expect(budget.available(3_501)).toBe(false);
    expect(budget.available(3_502)).toBe(true);
  });

  it('TokenBucket refills at its rate up to its burst', () => {
    const bucket = new TokenBucket(10, 3, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
    expect([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)]).toEqual([
      true,
      true,
      true,
    ]);
    expect(bucket.take(10_000)).toBe(false);
  });

  it('document names from URL paths', () => {
    expect(docNameFromPath('/')).toBe('default');
    expect(docNameFromPath('/team/notes')).toBe('team/notes');
    expect(docNameFromPath('/a.b-c_D')).toBe('a.b-c_D');
    for (const bad of [
      '',
      '/a/',
      '//',
      '/a//b',
      '/..',
      '/a/./b',
      '/a%20b',
      `/${'x'.repeat(129)}`,
    ]) {
      expect(docNameFromPath(bad), bad).toBeUndefined();
    }
    expect(docNameFromPath('/sync', '/sync')).toBe('default');
    expect(docNameFromPath('/sync/notes', '/sync')).toBe('notes');
    expect(docNameFromPath('/other/notes', '/sync')).toBeUndefined();
  });

  it('file names are safe and distinct for any document name', () => {
    expect(docFileBase('default')).toBe('doc-default');
    expect(docFileBase('Team/Notes.v2')).toBe('doc-~54eam~2F~4Eotes~2Ev2');
    expect(docFileBase('team/notes')).not.toBe(docFileBase('Team/Notes'));
    const long = docFileBase('x'.repeat(128));
    expect(long.length).toBeLessThan(200);
    expect(long).not.toBe(docFileBase(`${'x'.repeat(127)}y`));
  });

  it('the resume log answers exactly the revisions after a given one, or nothing', () => {
    const log = new ResumeLog(3, 1_000_000);
    for (let rev = 1; rev <= 5; rev++)
      log.push(makeRevision(rev, 'c', undefined, `a=${rev}\n`, undefined));
    expect(log.since(5, 5)).toEqual([]);
    expect(log.since(4, 5)!.map((r) => r.rev)).toEqual([5]);
    expect(log.since(2, 5)!.map((r) => r.rev)).toEqual([3, 4, 5]);
    expect(log.since(1, 5)).toBeUndefined();
    expect(log.since(6, 5)).toBeUndefined();
    const small = new ResumeLog(100, 60);
    for (let rev = 1; rev <= 5; rev++)
      small.push(makeRevision(rev, 'c', undefined, `a=${rev}\n`, undefined));
    expect(small.bytes).toBeLessThanOrEqual(60);
    expect(small.since(4, 5)).toHaveLength(1);
  });

  it('the dedup table remembers ids per client, forgetting the least recently active clients', () => {
    const table = new DedupTable(2, 2);
    table.record('a:1', 1);
    table.record('a:2', 2);
    table.record('a:3', 3);
    expect([table.lookup('a:1'), table.lookup('a:2'), table.lookup('a:3')]).toEqual([
      undefined,
      2,
      3,
    ]);
    table.record('b:1', 4);
    table.record('c:1', 5);
    expect(table.lookup('a:3')).toBeUndefined();
    expect(table.lookup('b:1')).toBe(4);
    expect(table.lookup('not an id')).toBeUndefined();
    expect(table.recent(1)).toEqual([
      { id: 'b:1', rev: 4 },
      { id: 'c:1', rev: 5 },
    ]);
  });

  it('the dedup table forgets a client without a scan of every client (a new client id per change)', () => {
    // Old: each new client id in a full table scanned all of them (10 000
    // by default) to find the least recently active: 20 000 such changes
    // walked 2 x 10^8 records. Compared with a table of 10 clients: the
    // same work now, whatever the table's size (a generous ratio).
    const spend = (maxClients: number) => {
      const table = new DedupTable(maxClients, 4);
      for (let i = 0; i < maxClients; i++) table.record(`old${i}:1`, i);
      const started = performance.now();
      for (let i = 0; i < 20_000; i++) table.record(`new${i}:1`, i);
      const spent = performance.now() - started;
      expect(table.clients).toBe(maxClients);
      return spent;
    };
    spend(10); // warm up
    const small = spend(10);
    const full = spend(10_000);
    expect(full).toBeLessThan(Math.max(small, 5) * 20);
    // Recording a change moves its client last: the least recently active goes first.
    const table = new DedupTable(3, 4);
    for (const id of ['a:1', 'b:1', 'c:1', 'a:2', 'd:1']) table.record(id, 1);
    expect(table.recent(4).map((applied) => applied.id)).toEqual(['c:1', 'a:1', 'a:2', 'd:1']);
  });

  it('parses hellos', () => {
    expect(parseHello('#vs hello v=1 client=k7Qx2 rev=42 token=s3cr3t\n')).toEqual({
      ok: true,
      hello: { version: 1, client: 'k7Qx2', rev: 42, token: 's3cr3t', extensions: [] },
    });
    expect(parseHello('#vs hello v=1 client=k ext=splice,later')).toMatchObject({
      ok: true,
      hello: { extensions: ['splice', 'later'] },
    });
    expect(parseHello('#vs hello v=2 client=k')).toMatchObject({ ok: true, hello: { version: 2 } });
    expect(parseHello('#vs hello v=3 client=k')).toMatchObject({ ok: false, code: 4409 });
    expect(parseHello('#vs hello client=k')).toMatchObject({ ok: false, code: 4409 });
    expect(parseHello('#vs welcome v=1 client=k')).toMatchObject({ ok: false, code: 4400 });
  });

  it('estimates removed sizes only when cheap and certain: never a shared, large or unknown subtree', () => {
    expect(removedSize('x'.repeat(100), 'k')).toBeGreaterThan(100);
    // Objects are measured only when changes of a server's tree created their keys (counted).
    const written = new Tree(undefined, { boundedRollback: true });
    written.begin();
    written.apply({ op: '=', path: ['s', 'a'], value: 'x'.repeat(100), line: 0 });
    written.apply({ op: '=', path: ['s', 'b', 1], value: 2, line: 0 });
    written.commit();
    const small = (written.root as { s: object }).s;
    expect(removedSize(small, 'k')).toBeGreaterThan(100);
    // An object built otherwise (parsed, loaded) is not enumerated: O(its keys).
    expect(removedSize({ a: 'x'.repeat(100) }, 'k')).toBe(0);
    const tree = new Tree({ big: {}, alias: 1 });
    tree.apply({ op: '&=', path: ['alias'], value: undefined, ref: ['big'], line: 0 });
    expect(removedSize((tree.root as { big: object }).big, 'big')).toBe(0);
    const large: Record<string, number> = {};
    for (let i = 0; i < REMOVED_WALK_VALUES + 1; i++) large[`k${i}`] = i;
    expect(removedSize(large, 'k')).toBe(0);
    expect(writtenSize('abc', 'k', 0)).toBe(removedSize('abc', 'k'));
    expect(mimeType('/a/b.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeType('/a/.hidden')).toBe('application/octet-stream');
  });
});

describe('outbox', () => {
  const member = (id: string, splices = false, compact = false): Member => ({
    id,
    splices,
    compact,
    send() {},
    sendWelcome() {},
    close() {},
  });

  it('one shared frame for every member, change authors included; presence skips its author', () => {
    const [writer, talker, reader] = [member('c1'), member('c2'), member('c3')];
    const outbox = new Outbox([
      { text: '#vs change rev=5 conn=c1\na=1\n', rev: 5, author: writer, skipAuthor: false },
      { text: '#vs presence conn=c2 name=Bo\n', rev: 0, author: talker, skipAuthor: true },
      { text: '#vs change rev=6 conn=c2 id=k:1\nb=2\n', rev: 6, author: talker, skipAuthor: false },
    ]);
    const toWriter = outbox.frameFor(writer, 4);
    const toReader = outbox.frameFor(reader, 4);
    expect(toWriter?.frame).toBeInstanceOf(Buffer);
    expect(toWriter?.frame).toBe(toReader?.frame); // the same bytes, built once
    expect(toWriter?.revisions).toBe(2);
    // The author of the presence line gets the same bytes around it: slices, nothing built.
    const toTalker = outbox.frameFor(talker, 4)!.frame as readonly Buffer[];
    expect(Buffer.concat(toTalker).toString()).toBe(
      '#vs change rev=5 conn=c1\na=1\n#vs change rev=6 conn=c2 id=k:1\nb=2\n',
    );
    for (const part of toTalker) expect(part.buffer).toBe((toReader!.frame as Buffer).buffer);
    // A member whose welcome already held revision 5 gets only what follows.
    expect(String(outbox.frameFor(member('c4'), 5)?.frame)).toBe(
      '#vs presence conn=c2 name=Bo\n#vs change rev=6 conn=c2 id=k:1\nb=2\n',
    );
  });

  it('one shared frame per kind of receiver: splices for those that announced them, values for the others', () => {
    const [a, b, plain, old] = [member('c1', true), member('c2', true), member('c3'), member('c4')];
    const outbox = new Outbox([
      {
        text: '#vs change rev=5 conn=c1\nm=abXc\n',
        spliceText: '#vs change rev=5 conn=c1\nm~=2,0,X\n',
        rev: 5,
        author: a,
        skipAuthor: false,
      },
      { text: '#vs change rev=6 conn=c2\nn=1\n', rev: 6, author: b, skipAuthor: false },
    ]);
    const toA = outbox.frameFor(a, 4);
    expect(toA?.frame).toBe(outbox.frameFor(b, 4)?.frame);
    expect(String(toA?.frame)).toBe(
      '#vs change rev=5 conn=c1\nm~=2,0,X\n#vs change rev=6 conn=c2\nn=1\n',
    );
    const toPlain = outbox.frameFor(plain, 4);
    expect(toPlain?.frame).toBe(outbox.frameFor(old, 4)?.frame);
    expect(String(toPlain?.frame)).toBe(
      '#vs change rev=5 conn=c1\nm=abXc\n#vs change rev=6 conn=c2\nn=1\n',
    );
    expect(outbox.built).toBe(2);
    // A member that needs its own frame still gets its kind.
    expect(String(outbox.frameFor(member('c5', true), 5)?.frame)).toBe(
      '#vs change rev=6 conn=c2\nn=1\n',
    );
  });

  it('compact heads: a revision only where it does not follow the one held, in every kind', () => {
    const [a, v1] = [member('c1', true, true), member('c2', false, false)];
    const heads = (rev: number) => ({
      first: `#vs change rev=${rev} conn=c1\n`,
      next: '#vs change conn=c1\n',
    });
    const outbox = new Outbox([
      {
        text: '#vs change rev=5 conn=c1 id=k:1\nm=abXc\n',
        spliceText: '#vs change rev=5 conn=c1 id=k:1\nm~=2,0,X\n',
        live: { heads: heads(5), body: 'm=abXc\n', spliceBody: 'm~=2,0,X\n' },
        rev: 5,
        author: a,
        skipAuthor: false,
      },
      {
        text: '#vs change rev=6 conn=c1 id=k:2\nn=1\n',
        live: { heads: heads(6), body: 'n=1\n' },
        rev: 6,
        author: a,
        skipAuthor: false,
      },
    ]);
    const toA = outbox.frameFor(a, 4);
    expect(toA?.frame).toBeInstanceOf(Buffer);
    expect(String(toA?.frame)).toBe('#vs change conn=c1\nm~=2,0,X\n#vs change conn=c1\nn=1\n');
    expect(String(outbox.frameFor(member('c3', false, true), 4)?.frame)).toBe(
      '#vs change conn=c1\nm=abXc\n#vs change conn=c1\nn=1\n',
    );
    expect(String(outbox.frameFor(v1, 4)?.frame)).toBe(
      '#vs change rev=5 conn=c1 id=k:1\nm=abXc\n#vs change rev=6 conn=c1 id=k:2\nn=1\n',
    );
    expect(outbox.built).toBe(3);
    // Its own frame: what follows revision 5 is implied too.
    expect(String(outbox.frameFor(member('c4', false, true), 5)?.frame)).toBe(
      '#vs change conn=c1\nn=1\n',
    );
    // A member that does not hold the revision before (never in a live
    // stream) gets a frame of its own that says where it starts.
    const behind = outbox.frameFor(member('c5', false, true), 3);
    expect(typeof behind?.frame).toBe('string');
    expect(String(behind?.frame)).toBe(
      '#vs change rev=5 conn=c1\nm=abXc\n#vs change conn=c1\nn=1\n',
    );
  });
});

describe('text history', () => {
  it('finds what a splice is transformed against by path, its own writer left out, ancestors replaced', () => {
    const history = new TextHistory(100, 0);
    history.record({ rev: 1, path: ['m'], op: [1, 'a'], author: 'A' });
    history.record({ rev: 2, path: ['m'], op: [2, 'b'], author: 'B' });
    history.record({ rev: 3, path: ['n'], op: undefined, author: 'B' });
    // Keys that look alike are different paths.
    history.record({ rev: 4, path: ['x', 'a:1'], op: undefined });
    history.record({ rev: 4, path: ['2:x', 1], op: undefined });
    expect(history.since(0, ['m'], 'A')).toEqual({ kind: 'ops', ops: [[2, 'b']] });
    expect(history.since(0, ['m'], 'C')).toEqual({
      kind: 'ops',
      ops: [
        [1, 'a'],
        [2, 'b'],
      ],
    });
    expect(history.since(1, ['m'])).toEqual({ kind: 'ops', ops: [[2, 'b']] });
    expect(history.since(0, ['n', 'deep'])).toEqual({ kind: 'replaced' });
    expect(history.since(3, ['n', 'deep'])).toEqual({ kind: 'ops', ops: [] });
    expect(history.since(0, ['x', 'a', 1])).toEqual({ kind: 'ops', ops: [] });
    expect(history.since(0, ['2:x', '1'])).toEqual({ kind: 'ops', ops: [] });
  });

  it("bridges others' edits sequenced between a writer's own changes past those changes as it wrote them", () => {
    // "" at revision 0. X pipelines two changes based on 0 ("x" at 0, then "y" after it);
    // C's insert is sequenced before X's first, D's (which saw both) between X's two.
    const history = new TextHistory(100, 0);
    history.record({ rev: 1, path: ['m'], op: ['c'], author: 'C' }); // "c"
    history.record({ rev: 2, path: ['m'], op: ['x'], author: 'X', written: ['x'], writtenBase: 0 }); // "xc"
    history.record({ rev: 3, path: ['m'], op: [2, 'd'], author: 'D' }); // "xcd"
    history.record({
      rev: 4,
      path: ['m'],
      op: [1, 'y'],
      author: 'X',
      written: [1, 'y'],
      writtenBase: 0,
    }); // "xycd"
    const paid: number[] = [];
    const answer = history.since(0, ['m'], 'X', (steps) => paid.push(steps));
    // As X saw them after its own "xy": C's and D's inserts after its typing.
    expect(answer).toEqual({
      kind: 'ops',
      ops: [
        [2, 'c'],
        [3, 'd'],
      ],
    });
    const ops = answer.kind === 'ops' ? answer.ops : [];
    expect(ops.reduce((text: string, op: TextOp) => applyTextOp(text, op), 'xy')).toBe('xycd');
    expect(paid).toEqual([1, 2]); // one step per other edit, at each own change
    // Based after X's first change: X's second, based before it, cannot be brought there.
    expect(history.since(2, ['m'], 'X')).toEqual({ kind: 'ops', ops: [[2, 'd']] });
    // Own events without the op as written (saved before it was kept) are left out as before.
    const old = new TextHistory(100, 0);
    old.restore(0, [
      { rev: 1, path: ['m'], op: ['c'], author: 'C' },
      { rev: 2, path: ['m'], op: ['x'], author: 'X' },
    ]);
    expect(old.since(0, ['m'], 'X')).toEqual({ kind: 'ops', ops: [['c']] });
  });

  it("brings a writer's change based before the splice's base to it before bridging past it", () => {
    // "ab" at revision 0. X types "x" after "b" (based on 0); C's "ccc" at 0 reaches X
    // before X's change is sequenced (X's pending change then sits after "cccab"); D
    // types "d" between "a" and "b"; X's next splice is based on 1.
    const history = new TextHistory(100, 0);
    history.record({ rev: 1, path: ['m'], op: ['ccc'], author: 'C' }); // "cccab"
    history.record({ rev: 2, path: ['m'], op: [4, 'd'], author: 'D' }); // "cccadb"
    history.record({
      rev: 3,
      path: ['m'],
      op: [6, 'x'],
      author: 'X',
      written: [2, 'x'],
      writtenBase: 0,
    });
    const paid: number[] = [];
    const answer = history.since(1, ['m'], 'X', (steps) => paid.push(steps));
    expect(answer).toEqual({ kind: 'ops', ops: [[4, 'd']] });
    const ops = answer.kind === 'ops' ? answer.ops : [];
    // X's view at revision 1 with its change: "cccabx"; with D's edit, the server's text.
    expect(ops.reduce((text: string, op: TextOp) => applyTextOp(text, op), 'cccabx')).toBe(
      'cccadbx',
    );
    expect(paid).toEqual([1, 1]); // bringing it past C's edit, then the bridge
    // Its own event between its base and the splice's: left out, as before.
    history.record({
      rev: 4,
      path: ['m'],
      op: [7, 'y'],
      author: 'X',
      written: [7, 'y'],
      writtenBase: 3,
    });
    history.record({ rev: 5, path: ['m'], op: ['e'], author: 'E' });
    history.record({
      rev: 6,
      path: ['m'],
      op: [1, 'z'],
      author: 'X',
      written: [9, 'z'],
      writtenBase: 2,
    });
    expect(history.since(4, ['m'], 'X')).toEqual({ kind: 'ops', ops: [['e']] });
  });

  it('answers costly when bridging would take more steps than the history holds events (maxTextHistory)', () => {
    const history = new TextHistory(5, 0);
    for (let rev = 1; rev <= 3; rev++) history.record({ rev, path: ['m'], op: ['c'], author: 'C' });
    history.record({ rev: 4, path: ['m'], op: ['x'], author: 'X', written: ['x'], writtenBase: 0 });
    expect(history.since(0, ['m'], 'X')).toEqual({
      kind: 'ops',
      ops: [
        [1, 'c'],
        [1, 'c'],
        [1, 'c'],
      ],
    });
    history.record({
      rev: 5,
      path: ['m'],
      op: ['y'],
      author: 'X',
      written: [1, 'y'],
      writtenBase: 0,
    });
    // 3 steps past X's first change, 3 more past its second: more than 5.
    expect(history.since(0, ['m'], 'X')).toEqual({ kind: 'costly', steps: 5 });
  });

  it('keeps the op as written through a replica snapshot; one saved before it still loads', () => {
    const snapshot = {
      epoch: 'e',
      fingerprint: 'f',
      rev: 2,
      size: 0,
      recountRev: 0,
      text: '',
      applied: [],
      conns: [],
      textHistory: {
        from: 0,
        events: [
          {
            rev: 1,
            path: ['m'],
            op: ['c'],
            author: 'C',
            written: undefined,
            writtenBase: undefined,
          },
          { rev: 2, path: ['m'], op: ['x', 1], author: 'X', written: ['x'], writtenBase: 0 },
        ],
      },
    };
    const json = encodeReplicaSnapshot(snapshot);
    expect(decodeReplicaSnapshot(json, 'doc').textHistory).toEqual(snapshot.textHistory);
    const before = json.replace(',["x"],0]]]', ']]]').replace('"C",null,null]', '"C"]');
    expect(before).not.toContain('["x"]]');
    expect(decodeReplicaSnapshot(before, 'doc').textHistory.events[1]?.written).toBeUndefined();
  });

  it('forgets the oldest events beyond its size: older bases are stale', () => {
    const history = new TextHistory(2, 0);
    for (let rev = 1; rev <= 4; rev++) history.record({ rev, path: ['m'], op: [rev, 'x'] });
    expect(history.since(1, ['m'])).toEqual({ kind: 'stale', from: 2 });
    expect(history.since(2, ['m'])).toEqual({
      kind: 'ops',
      ops: [
        [3, 'x'],
        [4, 'x'],
      ],
    });
  });
});

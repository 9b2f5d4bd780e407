import { describe, expect, it } from 'vitest';
import { parseMeta } from '../src/meta.js';
import { changeHead, changeIdOf, SectionReader, sectionHead } from '../src/sections.js';

/** Reads frames of `#vs` lines with one SectionReader, as a client does. */
function follow(reader: SectionReader, frames: readonly string[]) {
  const out: (string | undefined)[] = [];
  for (const frame of frames) {
    for (const line of frame.split('\n')) {
      const meta = parseMeta(line);
      if (meta === undefined) continue;
      if (meta.verb === 'welcome') reader.welcome(meta.fields.conn);
      if (meta.verb === 'snapshot') reader.at(Number(meta.fields.rev));
      if (meta.verb === 'replay') reader.at(Number(meta.fields.from));
      if (meta.verb !== 'change') continue;
      const info = reader.section(meta.fields);
      out.push(
        info === undefined ? undefined : `${info.rev} ${info.conn ?? '-'} ${info.id ?? '-'}`,
      );
    }
  }
  return out;
}

describe('section heads', () => {
  it('client lines: s= for its own ids, id= for any other', () => {
    expect(changeHead('k7:12', 'k7')).toBe('#vs change s=12');
    expect(changeHead('k7x:12', 'k7')).toBe('#vs change id=k7x:12');
    expect(changeIdOf({ s: '12' }, 'k7')).toEqual({ id: 'k7:12' });
    expect(changeIdOf({ id: 'a:1' }, undefined)).toEqual({ id: 'a:1' });
    expect(changeIdOf({}, 'k7')).toEqual({ id: undefined });
    expect(changeIdOf({ s: '1' }, undefined)).toHaveProperty('error');
    expect(changeIdOf({ s: '1', id: 'k7:1' }, 'k7')).toHaveProperty('error');
    expect(changeIdOf({ s: '1x' }, 'k7')).toHaveProperty('error');
  });

  it('server heads: implied revisions, implied ids for your own connection', () => {
    expect(sectionHead(7, 'c1.x', undefined)).toBe('#vs change rev=7 conn=c1.x');
    expect(sectionHead(undefined, 'c1.x', '')).toBe('#vs change conn=c1.x id=');
    const reader = new SectionReader('me');
    expect(
      follow(reader, [
        '#vs welcome v=2 conn=c1 rev=4\n#vs snapshot rev=4',
        // Revisions follow the snapshot's, across frames.
        '#vs change conn=c1 id=me:7\n#vs change conn=c2 id=other:1',
        '#vs change conn=c1',
        // A presence line between two sections does not break the chain.
        '#vs change rev=8 conn=c2\n#vs presence conn=c2\n#vs change conn=c1',
        // After a rejection the server names the id again; `id=` is a change without id.
        '#vs change rev=10 conn=c1 id=me:11\n#vs change conn=c1 id=\n#vs change conn=c1',
        // The full form of version 1 reads the same.
        '#vs change rev=13 conn=c9 id=x:1\n#vs change rev=14 conn=c1 id=me:13',
      ]),
    ).toEqual([
      '5 c1 me:7',
      '6 c2 other:1',
      '7 c1 me:8',
      '8 c2 -',
      '9 c1 me:9',
      '10 c1 me:11',
      '11 c1 -',
      '12 c1 me:12',
      '13 c9 x:1',
      '14 c1 me:13',
    ]);
    // Another connection's section never gets an implied id; a new welcome
    // forgets the last id and the revision (until its snapshot or replay).
    expect(follow(reader, ['#vs welcome conn=c3', '#vs change rev=15 conn=c1'])).toEqual([
      '15 c1 -',
    ]);
    expect(follow(reader, ['#vs welcome conn=c5', '#vs change conn=c5'])).toEqual([undefined]);
    expect(
      follow(reader, ['#vs welcome conn=c6\n#vs replay from=20', '#vs change conn=c9']),
    ).toEqual(['21 c9 -']);
  });
});

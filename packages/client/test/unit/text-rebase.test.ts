import { describe, expect, it } from 'vitest';
import { changeBody } from '../../src/changes/change-frame.js';
import { parseChange } from '../../src/changes/parse-change.js';
import type { PendingChange } from '../../src/pending/pending-change.js';
import { Replica } from '../../src/view/replica.js';
import { incoming } from '../helpers/sequencer.js';

let seq = 0;
function change(text: string): PendingChange {
  const statements = parseChange(text);
  return {
    id: `me:${++seq}`,
    statements,
    body: changeBody(statements),
    base: 10,
    epoch: undefined,
    sent: false,
    outgone: false,
    retries: 0,
    touched: [],
    skipped: false,
  };
}

function started(text: string): Replica {
  const r = new Replica();
  r.receive(incoming(`#vs snapshot rev=10\n${text}`));
  return r;
}

describe('replica: pending text splices are transformed against remote ones', () => {
  it('moves a pending splice over remote text typed before it, and reports the remote op on the view', () => {
    const r = started('m=Meeting on Monday\n');
    const mine = change('m~=17,0,!\n');
    r.addLocal(mine);
    expect(r.root).toEqual({ m: 'Meeting on Monday!' });
    const result = r.receive(incoming('#vs change rev=11 conn=c2\nm~=11,0,next \n'));
    expect(r.root).toEqual({ m: 'Meeting on next Monday!' });
    expect(mine.body).toBe('m~=22,0,!\n');
    expect(mine.base).toBe(11);
    expect(result.textOps).toEqual([{ path: ['m'], op: [11, 'next '] }]);
    // The server transforms it the same way: the echo matches, the view stays.
    r.receive(incoming(`#vs change rev=12 conn=c1 id=${mine.id}\nm~=22,0,!\n`));
    expect(r.pending).toHaveLength(0);
    expect(r.root).toEqual({ m: 'Meeting on next Monday!' });
  });

  it('keeps its own insert first at the same place (the server sequences it later)', () => {
    const r = started('m=ab\n');
    r.addLocal(change('m~=1,0,X\n'));
    r.receive(incoming('#vs change rev=11 conn=c2\nm~=1,0,Y\n'));
    expect(r.root).toEqual({ m: 'aXYb' });
  });

  it('splits a pending delete around remote text typed inside it', () => {
    const r = started('m=one two three\n');
    const mine = change('m~=4,4\n');
    r.addLocal(mine);
    r.receive(incoming('#vs change rev=11 conn=c2\nm~=5,0,XY\n'));
    expect(r.root).toEqual({ m: 'one XYthree' });
    expect(mine.body).toBe('m~=4,1\nm~=6,3\n');
  });

  it('voids pending splices when the string is replaced, not the ones after its own replacement', () => {
    const r = started('m=abc\n');
    const voided = change('m~=0,0,>\n');
    const own = change('m=mine\nm~=4,0,!\n');
    r.addLocal(voided);
    r.addLocal(own);
    const result = r.receive(incoming('#vs change rev=11 conn=c2\nm=theirs\n'));
    expect(voided.statements).toEqual([]);
    expect(own.body).toBe('m=mine\nm~=4,0,!\n');
    expect(result.textOps).toEqual([]);
    expect(r.root).toEqual({ m: 'mine!' });
  });

  it('treats a remote += as an insert at the end', () => {
    const r = started('m=ab\n');
    const mine = change('m~=2,0,X\n');
    r.addLocal(mine);
    r.receive(incoming('#vs change rev=11 conn=c2\nm+=Z\n'));
    expect(r.root).toEqual({ m: 'abXZ' });
  });

  it('leaves the view to the server when its echo differs from what the view applied', () => {
    const r = started('m=abc\n');
    const mine = change('m~=3,0,X\n');
    r.addLocal(mine);
    r.receive(incoming(`#vs change rev=11 conn=c1 id=${mine.id}\nm~=1,0,X\n`));
    expect(r.root).toEqual({ m: 'aXbc' });
  });

  it('merges splices typed while the last change waits into it (one change, one id)', () => {
    const r = started('m=ab\n');
    const first = change('m~=2,0,c\n');
    r.addLocal(first);
    const merged = r.extendLast(parseChange('m~=3,0,d\n'));
    expect(merged).toBe(first);
    expect(first.body).toBe('m~=2,0,cd\n');
    first.sent = true;
    first.outgone = true;
    expect(r.extendLast(parseChange('m~=4,0,e\n'))).toBeUndefined();
    // After a reconnect it waits to be sent again, under the id the server may hold: still closed.
    first.sent = false;
    expect(r.extendLast(parseChange('m~=4,0,e\n'))).toBeUndefined();
    expect(r.root).toEqual({ m: 'abcd' });
  });

  it('takes a refused splice out of the splices typed on top of it', () => {
    const r = started('m=abc\n');
    const refused = change('m~=3,0,X\n');
    const after = change('m~=4,0,Y\n');
    r.addLocal(refused);
    r.addLocal(after);
    expect(r.root).toEqual({ m: 'abcXY' });
    const result = r.receive(incoming(`#vs reject id=${refused.id} code=FORBIDDEN\n`));
    expect(result.rejected).toEqual([refused]);
    expect(after.body).toBe('m~=3,0,Y\n');
    expect(r.root).toEqual({ m: 'abcY' });
  });
});

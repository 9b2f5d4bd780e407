import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  formatSplice,
  formatStatement,
  parse,
  plainStatement,
  Reader,
  type Statement,
  Tree,
} from '../../src/index.js';

function errors(text: string): string[] {
  const out: string[] = [];
  parse(text, { onError: (e) => out.push(e.code) });
  return out;
}

function statements(text: string): Statement[] {
  const reader = new Reader({ strict: true });
  reader.write(text);
  reader.end();
  return [...reader] as Statement[];
}

describe('the ~= splice statement', () => {
  it('inserts, deletes and replaces text at a position', () => {
    expect(parse('m=Meeting on Monday\nm~=11,0,next \n')).toEqual({ m: 'Meeting on next Monday' });
    expect(parse('m=Meeting on Monday\nm~=7,3\n')).toEqual({ m: 'Meeting Monday' });
    expect(parse('m=Meeting on Monday\nm~=0,7,Call\n')).toEqual({ m: 'Call on Monday' });
    expect(parse('m=abc\nm~=1,1,\n')).toEqual({ m: 'ac' });
  });

  it('reads the text untyped: bare, quoted, with escapes and continuation lines', () => {
    expect(parse('m~=0,0,42\n')).toEqual({ m: '42' });
    expect(parse('m~=0,0,"true"\n')).toEqual({ m: 'true' });
    expect(parse('m~=0,0,a\\\\b\n')).toEqual({ m: 'a\\b' });
    expect(parse('m~=0,0,one\\\ntwo\n')).toEqual({ m: 'one\ntwo' });
    expect(parse('m~=0,0, spaced \n')).toEqual({ m: ' spaced ' });
    expect(statements('a.b~=3,2,xy\n')[0]).toMatchObject({
      op: '~=',
      path: ['a', 'b'],
      splice: { at: 3, del: 2, text: 'xy' },
    });
  });

  it('follows ^ like any statement', () => {
    expect(parse('form.a=xy\n^.b=z\n^.a~=1,0,-\n')).toEqual({ form: { a: 'x-y', b: 'z' } });
  });

  it('counts UTF-16 code units and never splits a surrogate pair; combining marks are characters', () => {
    expect(parse('m=a😀b\nm~=3,0,x\n')).toEqual({ m: 'a😀xb' });
    expect(errors('m=a😀b\nm~=2,0,x\n')).toEqual(['SPLICE_RANGE']);
    expect(errors('m=a😀b\nm~=1,1\n')).toEqual(['SPLICE_RANGE']);
    expect(parse('m=e\u0301\nm~=1,0,x\n')).toEqual({ m: 'ex\u0301' });
  });

  it('reports clear errors and changes nothing', () => {
    expect(errors('m=abc\nm~=4,0,x\n')).toEqual(['SPLICE_RANGE']);
    expect(errors('m=abc\nm~=2,5\n')).toEqual(['SPLICE_RANGE']);
    expect(errors('m=5\nm~=0,0,x\n')).toEqual(['TYPE_MISMATCH']);
    expect(errors('m~=x\nm~=1\nm~=1,\nm~=1;2\nm~=-1,0\nm~=1234567890123456,0\n')).toEqual(
      Array(6).fill('BAD_SPLICE'),
    );
    expect(parse('m=abc\nm~=9,0,x\nm~=0,0,>\n', { onError: () => {} })).toEqual({ m: '>abc' });
    expect(() => parse('m~=1,x\n', { strict: true })).toThrow(/position,deleted/);
  });

  it('starts a missing value from the empty string', () => {
    expect(parse('m~=0,0,hi\n')).toEqual({ m: 'hi' });
    expect(errors('m~=1,0,hi\n')).toEqual(['SPLICE_RANGE']);
  });

  it('is kept by canonicalize; plainStatement gives the resulting value for plain readers', () => {
    const tree = new Tree({ m: 'hello' });
    const change = tree.apply(statements('m~=5,0, world\n')[0]!);
    const canonical = canonicalize(change);
    expect(formatStatement(canonical)).toBe('m~=5,0, world\n');
    expect(formatStatement(plainStatement(canonical, change))).toBe('m=hello world\n');
  });

  it('property: a written splice reads back as the same splice', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1e9 }),
        fc.nat({ max: 1e9 }),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        (at, del, text) => {
          const line = `m${formatSplice({ at, del, text })}\n`;
          expect(statements(line)[0]?.splice).toEqual({ at, del, text });
        },
      ),
    );
  });
});

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse, parseStream, TreeParser, VarStreamError } from '../src/index.js';

const require = createRequire(import.meta.url);
const v032 = require('varstream') as { parse(text: string): unknown };

function thrown(run: () => unknown): VarStreamError {
  try {
    run();
  } catch (err) {
    if (err instanceof VarStreamError) return err;
    throw err;
  }
  throw new Error('did not throw');
}

// Regression: parse() silently dropped bad lines unless an onError was passed.
describe('parse() throws at the first bad statement, as JSON.parse does', () => {
  it('a syntax error: code, line and column of the offending character', () => {
    const err = thrown(() => parse('a=1\nbad..path=2\nb=3\n'));
    expect(err).toBeInstanceOf(VarStreamError);
    expect([err.code, err.line, err.column]).toEqual(['EMPTY_SEGMENT', 2, 5]);
    expect(err.message).toBe('Empty path segment at line 2, column 5: "bad..path=2"');
  });

  it('a semantic error: the statement at line L, column 1, and the path', () => {
    const err = thrown(() => parse('a=5\nb=x\nc&=nowhere\n'));
    expect([err.code, err.line, err.column, err.path]).toEqual(['REF_NOT_FOUND', 3, 1, 'c']);
  });

  it('stops at the first one of several', () => {
    const err = thrown(() => parse('ok=1\n"open\nx..y=1\n'));
    expect([err.code, err.line]).toEqual(['BAD_QUOTE', 2]);
  });

  it('tolerant: true skips bad statements; onError hears each (and implies tolerant)', () => {
    const text = 'a=1\nbad..path=2\nb=3\nc&=nowhere\n';
    expect(parse(text, { tolerant: true })).toEqual({ a: 1, b: 3 });
    const heard: string[] = [];
    expect(parse(text, { onError: (e) => heard.push(`${e.code} ${e.line}:${e.column}`) })).toEqual({
      a: 1,
      b: 3,
    });
    expect(heard).toEqual(['EMPTY_SEGMENT 2:5', 'REF_NOT_FOUND 4:1']);
  });

  it('strict: true throws even with an onError', () => {
    const heard: unknown[] = [];
    expect(() => parse('x..y=1\n', { strict: true, onError: (e) => heard.push(e) })).toThrow(
      VarStreamError,
    );
    expect(heard).toEqual([]);
  });

  it('valid text, empty text and comments still parse', () => {
    expect(parse('')).toEqual({});
    expect(parse('# a comment\n\na.b=1\n^.c=2\n')).toEqual({ a: { b: 1, c: 2 } });
  });

  it('the streaming parsers follow the same default', async () => {
    const parser = new TreeParser();
    expect(() => parser.end('a=1\nx..y=1\n')).toThrow(VarStreamError);
    await expect(parseStream(['a=1\n', 'x..y=1\n'])).rejects.toMatchObject({
      code: 'EMPTY_SEGMENT',
      line: 2,
    });
    expect(await parseStream(['a=1\n', 'x..y=1\n'], { tolerant: true })).toEqual({ a: 1 });
  });

  it('legacy mode is unchanged: tolerant like 0.3.2, whatever the text', () => {
    for (const text of ['a=1\nbad..path=2\nb=3\n', 'a=1\n"open\nb=2\n', 'a=5\nc&=nowhere\n']) {
      expect(parse(text, { legacy: true })).toStrictEqual(v032.parse(text));
    }
  });
});

import { describe, expect, it } from 'vitest';
import { PathContext, Reader, Tree, type VarStreamError } from '../src/index.js';

/** Errors (code line:column) and the tree, reading `chunks` with a small statement limit. */
function read(chunks: string[], maxStatementLength: number): { errors: string[]; root: unknown } {
  const errors: string[] = [];
  const context = new PathContext();
  const reader = new Reader({
    context,
    limits: { maxStatementLength },
    onError: (e) => errors.push(`${e.code} ${e.line}:${e.column}`),
  });
  const tree = new Tree(undefined, { limits: reader.limits });
  const drain = () => {
    for (let e = reader.read(); e !== null; e = reader.read()) {
      if (e.op === '#') continue;
      try {
        tree.apply(e, context);
      } catch (err) {
        errors.push(`${(err as VarStreamError).code}`);
      }
    }
  };
  for (const chunk of chunks) {
    reader.write(chunk);
    drain();
  }
  reader.end();
  drain();
  return { errors, root: tree.root };
}

/** Every way to cut `text` in two gives what the whole text gives. */
function sameInChunks(text: string, max: number): ReturnType<typeof read> {
  const whole = read([text], max);
  for (let i = 0; i <= text.length; i++) {
    expect(read([text.slice(0, i), text.slice(i)], max)).toEqual(whole);
  }
  return whole;
}

describe('Reader: an over-long statement gives the same errors whole or in chunks', () => {
  it('skips the continuation lines of an over-long bare value', () => {
    expect(sameInChunks('toString=a\\\nb\nc=1\n', 8)).toEqual({
      errors: ['LIMIT_STATEMENT 1:1'],
      root: { c: 1 },
    });
    expect(sameInChunks('x=1\n+.+.+=a\\\nb\n=1\n', 8).errors).toEqual([
      'LIMIT_STATEMENT 2:1',
      'EMPTY_PATH 4:1',
    ]);
  });

  it('reports an over-long quoted value as too long, found closing quote or not', () => {
    expect(sameInChunks('a="unterminated\nb=1\nc.d=2\n', 20)).toEqual({
      errors: ['LIMIT_STATEMENT 1:1'],
      root: { b: 1, c: { d: 2 } },
    });
    expect(sameInChunks('^.+="\n^.+."a"=1\n', 8).errors).toEqual([
      'LIMIT_STATEMENT 1:1',
      'LIMIT_STATEMENT 2:1',
    ]);
    // Within the limit, an unterminated quote starts a bare value (SPEC 5.2).
    expect(sameInChunks('a="x\nb=1\nc="q" r\nd="\ne="y\nz"\n', 100)).toEqual({
      errors: [],
      root: { a: '"x', b: 1, c: '"q" r', d: '"', e: 'y\nz' },
    });
  });
});

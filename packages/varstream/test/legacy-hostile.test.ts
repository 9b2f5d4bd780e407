/**
 * Inputs on which 0.3.2 is quadratic or hangs: the legacy codec must stay
 * linear. Assertions are on results; times are printed for the record
 * (0.3.2 on the same inputs: see docs/LEGACY.md).
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LegacyReader, legacyParse, legacyStringify } from '../src/legacy/index.js';
import { COMPARE, datFiles, oracle, textOf } from './legacy.helpers.js';

function timed<T>(label: string, run: () => T): T {
  const start = performance.now();
  const result = run();
  console.log(`${label}: ${(performance.now() - start).toFixed(1)} ms`);
  return result;
}

describe('hostile inputs', () => {
  test('a 200 000-character key', () => {
    const key = 'k'.repeat(200_000);
    const tree = timed('parse, 200 000-char key', () => legacyParse(`${key}=1\n`)) as Record<
      string,
      unknown
    >;
    expect(tree[key]).toBe(1);
    expect(timed('stringify, 200 000-char key', () => legacyStringify(tree))).toBe(`${key}=1\n`);
  });

  test('a 200 000-character key fed one character at a time', () => {
    const tree: { p?: Record<string, unknown> } = {};
    const reader = new LegacyReader(tree, 'p');
    timed('parse, 200 000-char key in 200 000 chunks', () => {
      for (let i = 0; i < 200_000; i++) reader.write('k');
      reader.write('=1\n');
    });
    expect(tree.p?.['k'.repeat(200_000)]).toBe(1);
  });

  test('a 100 000-segment path (limits raised)', () => {
    const depth = 100_000;
    const text = `${'a.'.repeat(depth - 1)}a=1\n`;
    const limits = { maxPathDepth: depth };
    const tree = timed('parse, 100 000-segment path', () => legacyParse(text, { limits }));
    let node: unknown = tree;
    for (let i = 0; i < depth - 1; i++) node = (node as { a: unknown }).a;
    expect((node as { a: unknown }).a).toBe(1);
    const out = timed('stringify, 100 000-segment path', () => legacyStringify(tree));
    expect(out).toBe(text);
    const again = timed('parse, then ^ over 100 000 segments', () =>
      legacyParse(`${text}^.b=2\n`, { limits: { maxPathDepth: depth + 1 } }),
    );
    node = again;
    for (let i = 0; i < depth - 1; i++) node = (node as { a: unknown }).a;
    expect(node).toEqual({ a: 1, b: 2 });
  });

  test('the default path limit refuses it', () => {
    expect(() => legacyParse(`${'a.'.repeat(100_000)}a=1\n`, { strict: true })).toThrow(
      expect.objectContaining({ code: 'LIMIT_DEPTH' }),
    );
  });

  test('160 000 objects to stringify', () => {
    const tree: Record<string, unknown> = {};
    for (let i = 0; i < 160_000; i++) tree[`k${i}`] = { v: i };
    const out = timed('stringify, 160 000 objects', () => legacyStringify(tree));
    expect(out.length).toBe(2_497_780);
    expect(out.startsWith('k0.v=0\nk1.v=1\n')).toBe(true);
    const list = Object.values(tree);
    const merged = timed('stringify, 160 000 objects in an array, morph+merge', () =>
      legacyStringify({ list, again: list }, { morphContexts: true, mergeArrays: true }),
    );
    expect(merged.startsWith('list.+.v=0\n^.v=1\n^.v=2\n')).toBe(true);
    expect(merged.endsWith('^.v=159999\nagain&=list\n')).toBe(true);
    const back = timed('parse, 160 000 objects', () => legacyParse(out)) as Record<string, unknown>;
    expect(back.k159999).toEqual({ v: 159_999 });
  });

  test('a sparse array with a huge length is refused at once', () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(() => timed('stringify, length 2^32-1', () => legacyStringify({ a: sparse }))).toThrow(
      expect.objectContaining({ code: 'LIMIT_INDEX' }),
    );
  });

  test('a sparse array up to the limit is written hole by hole, as 0.3.2 does', () => {
    const sparse: unknown[] = [];
    sparse[999_999] = 'end';
    const out = timed('stringify, sparse length 1 000 000', () => legacyStringify({ a: sparse }));
    expect(out.startsWith('a.0=\na.1=\n')).toBe(true);
    expect(out.endsWith('a.999999=end\n')).toBe(true);
  });

  test('many lines, long values, long multi-line values', () => {
    const lines = timed('parse, 1 000 000 lines', () =>
      legacyParse('a+=1\n'.repeat(1_000_000)),
    ) as { a: unknown };
    expect(lines.a).toBe(Number.NaN);
    const long = 'v'.repeat(10_000_000);
    const value = timed('parse, 10 000 000-char value', () => legacyParse(`a=${long}\n`)) as {
      a: string;
    };
    expect(value.a.length).toBe(10_000_000);
    const multi = `a=${'x\\\n'.repeat(1_000_000)}end\n`;
    const multiline = timed('parse, 1 000 001-line value', () => legacyParse(multi)) as {
      a: string;
    };
    expect(multiline.a).toBe(`${'x\n'.repeat(1_000_000)}end`);
    const backrefs = timed('parse, 100 000 ^ statements', () =>
      legacyParse(`a.b.c=1\n${'^.d+=1\n'.repeat(100_000)}`),
    ) as { a: { b: { d: unknown } } };
    expect(backrefs.a.b.d).toBe(Number.NaN);
  });
});

describe('compare/*.dat: 0.3.2 and legacy, parse and stringify (timed in pnpm bench)', () => {
  test.each(datFiles(COMPARE))('%s', (name) => {
    const text = textOf(join(COMPARE, name));
    const tree = legacyParse(text);
    const theirTree = oracle.parse(text);
    expect(legacyStringify(tree)).toBe(oracle.stringify(theirTree));
  });
});

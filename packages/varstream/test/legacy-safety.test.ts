/**
 * What the legacy codec does where 0.3.2 pollutes prototypes or crashes.
 * These inputs never reach 0.3.2 in this realm.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VarStreamError } from '../src/errors.js';
import { LegacyReader, legacyParse, legacyStringify } from '../src/legacy/index.js';
import { lineBreak } from './legacy.arbitraries.js';
import { builtinsSnapshot, isSafeForOracle } from './legacy.helpers.js';

const INHERITED = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  '__defineGetter__',
  'length',
  'push',
  'map',
  'join',
  'call',
  'apply',
  'bind',
  'name',
] as const;

const BEFORE = builtinsSnapshot();

function expectNoPollution(): void {
  expect(builtinsSnapshot()).toBe(BEFORE);
  const probe: Record<string, unknown> = {};
  expect(probe.x).toBeUndefined();
  expect(probe.polluted).toBeUndefined();
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}

interface Run {
  value: unknown;
  codes: string[];
  thrown: unknown;
}

function run(text: string, strict: boolean): Run {
  const codes: string[] = [];
  let value: unknown;
  let thrown: unknown;
  try {
    value = legacyParse(text, { strict, onError: (e) => codes.push(e.code) });
  } catch (error) {
    thrown = error;
  }
  return { value, codes, thrown };
}

describe('prototype pollution', () => {
  const templates = [
    (k: string) => `${k}.x=1\n`,
    (k: string) => `${k}.${k}.polluted=1\n`,
    (k: string) => `a.${k}.x=1\n`,
    (k: string) => `a.0.${k}.x=1\n`,
    (k: string) => `a.+.${k}.+=1\n`,
    (k: string) => `a.${k}=1\n`,
    (k: string) => `a.${k}+=1\n`,
    (k: string) => `a.${k}=\n`,
    (k: string) => `a.0=1\na.${k}=\n`,
    (k: string) => `a.0=1\na.${k}.x=\n`,
    (k: string) => `c&=a.${k}\nc.x=1\n`,
    (k: string) => `c&=${k}\nc.polluted=1\n`,
    (k: string) => `a.b=1\n^.${k}.x=1\n^.y=2\n`,
    (k: string) => `a.${k}&=^0\na.${k}.polluted=1\n`,
    (k: string) => `a.${k}=x\\\ny\n`,
    (k: string) => `a.0=1\na.${k}=x\\\ny\n`,
    (k: string) => `a.0=1\na.${k}=5\na.${k}*=2\n`,
    (k: string) => `${k}=1\n^.x=2\n`,
  ];

  test.each(INHERITED)('%s in every position: no pollution, no crash', (key) => {
    for (const template of templates) {
      const text = template(key);
      for (const strict of [false, true]) {
        const { value, thrown } = run(text, strict);
        if (thrown !== undefined) expect(thrown, text).toBeInstanceOf(VarStreamError);
        expectNoPollution();
        if (value !== undefined) {
          try {
            legacyStringify(value);
          } catch (error) {
            expect(error).toBeInstanceOf(VarStreamError);
          }
        }
        expectNoPollution();
      }
    }
  });

  test('generated documents with inherited names: no pollution, no crash', () => {
    const segment = fc.oneof(
      fc.constantFrom(...INHERITED),
      fc.constantFrom('a', 'b', '0', '1', '+', '*', '!'),
    );
    const path = fc
      .tuple(
        fc.option(fc.constantFrom('^', '^0', '^1', '^2')),
        fc.array(segment, { minLength: 1, maxLength: 4 }),
      )
      .map(([back, segments]) => (back === null ? segments : [back, ...segments]).join('.'));
    const statement = fc
      .tuple(
        path,
        fc.constantFrom('=', '+=', '-=', '*=', '&='),
        fc.oneof(path, fc.constantFrom('', '1', 'x', 'null', 'x\\\ny', '5\\\n6')),
      )
      .map(([p, op, v]) => `${p}${op}${v}`);
    const document = fc
      .array(fc.tuple(statement, lineBreak), { maxLength: 10 })
      .map((lines) => lines.map(([s, b]) => s + b).join(''));
    fc.assert(
      fc.property(document, fc.boolean(), (text, strict) => {
        const { value, thrown } = run(text, strict);
        if (thrown !== undefined) expect(thrown).toBeInstanceOf(VarStreamError);
        if (value !== undefined) {
          for (const options of [undefined, { morphContexts: true, mergeArrays: true }]) {
            try {
              legacyStringify(value, options);
            } catch (error) {
              expect(error).toBeInstanceOf(VarStreamError);
            }
          }
        }
        expectNoPollution();
      }),
      { numRuns: 3000 },
    );
  });

  test('inherited names are ordinary own keys', () => {
    const tree = legacyParse('__proto__.x=1\na.toString.y=2\nb.constructor=3\n') as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(tree)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(tree, '__proto__')?.value).toEqual({ x: 1 });
    expect((tree.a as Record<string, unknown>).toString).toEqual({ y: 2 });
    expect(Object.hasOwn(tree.b as object, 'constructor')).toBe(true);
    expect(legacyStringify(tree)).toBe('__proto__.x=1\na.toString.y=2\nb.constructor=3\n');
  });

  test('an inherited property is absent: for &=, for operators, for the empty-value test', () => {
    expect(legacyParse('a.b=1\nc&=a.toString\n')).toEqual({ a: { b: 1 }, c: undefined });
    expect(legacyParse('a.b=1\na.constructor+=x\n')).toEqual({
      a: { b: 1, constructor: 'undefinedx' },
    });
    expect(legacyParse('a.b=1\na.valueOf-=1\n')).toEqual({ a: { b: 1, valueOf: Number.NaN } });
  });

  test('own keys are data, never behaviour, when 0.3.2 operators convert a container', () => {
    expect(legacyParse('a.toString=1\na+=x\n')).toEqual({ a: '[object Object]x' });
    expect(legacyParse('a.valueOf=1\na-=1\n')).toEqual({ a: Number.NaN });
    expect(legacyParse('a.0=1\na.join=2\na+=x\n')).toEqual({ a: '1x' });
    expect(legacyParse('a.0.toString=1\na.1=2\na+=x\n')).toEqual({ a: '[object Object],2x' });
    expect(legacyParse('a.x=1\na=s\\\nt\n')).toEqual({ a: 's\nt' });
    expect(legacyParse('b.x=1\na&=b\\\nt\n')).toEqual({ b: { x: 1 }, a: '[object Object]\nt' });
  });
});

describe('the length of arrays', () => {
  test('a multi-line value cannot go on in it (0.3.2 crashes on most lines)', () => {
    const codes: string[] = [];
    const tree = legacyParse('a.0=1\na.length=2\\\n3\nb=1\n', {
      onError: (e) => codes.push(e.code),
    });
    expect(codes).toEqual(['UNSAFE_KEY']);
    expect(tree).toEqual({ a: [1, undefined], b: 1 });
  });

  test('setting it to a valid length works as in JavaScript', () => {
    expect(legacyParse('a.0=1\na.1=2\na.2=3\na.length=1\n')).toEqual({ a: [1] });
    expect(legacyParse('a.0=1\na.length+=2\n')).toEqual({ a: [1, undefined, undefined] });
  });

  test('where 0.3.2 crashes, an error is reported and the array is kept', () => {
    const cases: [string, string][] = [
      ['a.0=1\na.length=\n', 'UNSAFE_KEY'],
      ['a.0=1\na.length=x\n', 'TYPE_MISMATCH'],
      ['a.0=1\na.length=-1\n', 'TYPE_MISMATCH'],
      ['a.0=1\na.length=1.5\n', 'TYPE_MISMATCH'],
      ['a.0=1\na.length=4294967296\n', 'TYPE_MISMATCH'],
      ['a.0=1\na.length.x=1\n', 'UNSAFE_KEY'],
      ['a.0=1\na.length.+=1\n', 'UNSAFE_KEY'],
      ['a.0=1\nb.x=1\na.length&=b\n', 'TYPE_MISMATCH'],
      ['a.0=1\na.length=20000000\n', 'LIMIT_INDEX'],
      ['a.0=1\na.length=200000\n', 'LIMIT_GAP'],
    ];
    for (const [text, code] of cases) {
      const { value, codes } = run(text, false);
      expect(codes, text).toEqual([code]);
      expect((value as { a: unknown }).a, text).toEqual([1]);
      const strict = run(text, true);
      expect(strict.thrown, text).toMatchObject({ code });
    }
  });
});

describe('other crashes of 0.3.2', () => {
  test('an array emptied through itself: TYPE_MISMATCH where 0.3.2 throws a TypeError', () => {
    const codes: string[] = [];
    const tree = legacyParse('+&=^0\n^1.!.a=null\nb=1\n', { onError: (e) => codes.push(e.code) });
    expect(codes).toEqual(['TYPE_MISMATCH']);
    expect(tree).toEqual(Object.assign([], { b: 1 }));
  });

  test("the caller's frozen objects and BigInts: TYPE_MISMATCH instead of a TypeError", () => {
    const frozen = { p: Object.freeze({ a: 1 }) };
    const codes: string[] = [];
    const reader = new LegacyReader(frozen, 'p', { onError: (e) => codes.push(e.code) });
    reader.write('a=2\nb=3\n');
    const big = { p: { n: 1n } };
    const other = new LegacyReader(big, 'p', { onError: (e) => codes.push(e.code) });
    other.write('n+=1\nn-=1\n');
    expect(codes).toEqual(['TYPE_MISMATCH', 'TYPE_MISMATCH', 'TYPE_MISMATCH', 'TYPE_MISMATCH']);
    expect(big.p.n).toBe(1n);
  });

  test('deeply nested arrays convert without recursion', () => {
    const depth = 100_000;
    let text = 'l0.0=x\n';
    for (let i = 1; i < depth; i++) text += `l${i}.0&=l${i - 1}\n`;
    text += `s&=l${depth - 1}\ns+=!\n`;
    const tree = legacyParse(text) as Record<string, unknown>;
    expect(tree.s).toBe('x!');
  });

  test('a conversion that would blow up (shared arrays) stops at the budget', () => {
    let text = 'l0.0=1\nl0.1=2\n';
    for (let i = 1; i < 60; i++) text += `l${i}.0&=l${i - 1}\nl${i}.1&=l${i - 1}\n`;
    text += 'x&=l59\nx+=y\n';
    // The budget is maxStatementLength steps (16 Mi by default, a few
    // seconds of work); a smaller one shows the same stop sooner.
    const codes: string[] = [];
    const limits = { maxStatementLength: 1 << 20 };
    const tree = legacyParse(text, { limits, onError: (e) => codes.push(e.code) }) as Record<
      string,
      unknown
    >;
    expect(codes).toEqual(['LIMIT_STATEMENT']);
    expect(Array.isArray(tree.x)).toBe(true);
  });
});

describe('limits', () => {
  const cases: [string, string, Record<string, number>][] = [
    ['a.b.c.d=1\n', 'LIMIT_DEPTH', { maxPathDepth: 3 }],
    ['a.b.c=1\n^.d.e=1\n', 'LIMIT_DEPTH', { maxPathDepth: 3 }],
    ['a.11=1\n', 'LIMIT_INDEX', { maxArrayIndex: 10 }],
    ['a.0=1\na.6=1\n', 'LIMIT_GAP', { maxArrayGap: 4 }],
    ['a=1\nb=2\nc.d=3\n', 'LIMIT_NODES', { maxNodes: 3 }],
    ['abcdef=1\n', 'LIMIT_STATEMENT', { maxStatementLength: 5 }],
    ['a=123456\n', 'LIMIT_STATEMENT', { maxStatementLength: 5 }],
    ['a=1\\\n23456\n', 'LIMIT_STATEMENT', { maxStatementLength: 5 }],
  ];

  test.each(cases)('%j: %s', (text, code, limits) => {
    const codes: string[] = [];
    const tree = legacyParse(`${text}z=1\n`, { limits, onError: (e) => codes.push(e.code) });
    expect(codes[0]).toBe(code);
    // Reading goes on after the error (unless no node may be created any more).
    if (code !== 'LIMIT_NODES') expect((tree as { z?: unknown }).z).toBe(1);
    expect(() => legacyParse(text, { limits, strict: true })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  test('defaults: an index past the default gap or index limit is refused', () => {
    expect(() => legacyParse('a.4294967294=1\n', { strict: true })).toThrow(
      expect.objectContaining({ code: 'LIMIT_INDEX' }),
    );
    expect(() => legacyParse('a.100001=1\n', { strict: true })).toThrow(
      expect.objectContaining({ code: 'LIMIT_GAP' }),
    );
    expect((legacyParse('a.100000=1\n') as { a: unknown[] }).a.length).toBe(100_001);
    // Not canonical: a plain property of the array, as in 0.3.2.
    expect(legacyParse('a.0004294967294=1\n')).toEqual({
      a: Object.assign([], { '0004294967294': 1 }),
    });
  });

  test('the writer refuses an array longer than maxArrayIndex', () => {
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    expect(() => legacyStringify({ a: sparse })).toThrow(
      expect.objectContaining({ code: 'LIMIT_INDEX', path: 'a' }),
    );
    expect(() => legacyStringify({ a: [1, 2, 3] }, { limits: { maxArrayIndex: 2 } })).toThrow(
      expect.objectContaining({ code: 'LIMIT_INDEX' }),
    );
  });
});

describe('the oracle guard of the tests', () => {
  test('inherited names are caught statically or in the sandbox', () => {
    expect(isSafeForOracle('a.toString.x=1\n')).toBe(false);
    expect(isSafeForOracle('a.0=1\na.length=\n')).toBe(false);
    expect(isSafeForOracle('a.0=1\na.filter.x=1\n')).toBe(false);
    expect(isSafeForOracle('entries.!.title=x\n^.filter=int\n')).toBe(true);
    expect(isSafeForOracle('# the values\na.b=constructor\n')).toBe(true);
    expectNoPollution();
  });
});

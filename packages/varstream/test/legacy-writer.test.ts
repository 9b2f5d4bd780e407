/**
 * legacyStringify against the real varstream 0.3.2: `VarStream.stringify`
 * without options, `new VarStream.Writer(cb, flags)` with them.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { VarStreamError } from '../src/errors.js';
import { legacyParse, legacyStringify } from '../src/legacy/index.js';
import { jsTree } from './legacy.arbitraries.js';
import { oracle } from './legacy.helpers.js';

const RUNS = Number(process.env.LEGACY_FUZZ_RUNS ?? 4000);

interface Flags {
  morphContexts?: boolean;
  mergeArrays?: boolean;
}

const FLAG_SETS: (Flags | undefined)[] = [
  undefined,
  { morphContexts: true },
  { mergeArrays: true },
  { morphContexts: true, mergeArrays: true },
];

function attempt(run: () => string): string {
  try {
    return `OK ${run()}`;
  } catch (error) {
    if (error instanceof VarStreamError) return `THROWS ${error.reason}`;
    return `THROWS ${(error as Error).message}`;
  }
}

function theirs(value: unknown, flags: Flags | undefined): string {
  if (flags === undefined) return attempt(() => oracle.stringify(value));
  const options =
    (flags.morphContexts ? oracle.Writer.MORPH_CONTEXTS : 0) |
    (flags.mergeArrays ? oracle.Writer.MERGE_ARRAYS : 0);
  return attempt(() => {
    let out = '';
    new oracle.Writer((text) => {
      out += text;
    }, options).write(value);
    return out;
  });
}

function ours(value: unknown, flags: Flags | undefined): string {
  return attempt(() => legacyStringify(value, flags));
}

function expectSame(value: unknown): void {
  for (const flags of FLAG_SETS)
    expect(ours(value, flags), JSON.stringify(flags)).toBe(theirs(value, flags));
}

describe('the stringify cases of behaviour-0.3.2.txt', () => {
  const list: unknown[] = [{ n: 1 }, { n: 2 }];
  (list[1] as Record<string, unknown>).prev = list[0];
  list.push(list);
  const a: Record<string, unknown> = { x: 1 };
  a.b = { c: a };
  a.y = 2;
  const self: Record<string, unknown> = { x: 1 };
  self.self = self;
  const root: Record<string, unknown> = { a: self };
  root.root = root;

  const cases: [string, unknown][] = [
    ['simple', { a: 1, b: 'x', c: { d: true, e: null } }],
    [
      'array of records',
      {
        r: [
          { x: 1, y: 2 },
          { x: 3, y: 4 },
        ],
      },
    ],
    ['single-key records', { r: [{ x: 1 }, { x: 2 }, { x: 3 }] }],
    ['nested scalar arrays', { m: [[1, 2], [3]] }],
    ['root array', [1, 'two', [3]]],
    ['circular self + root', root],
    [
      'shared ref',
      (() => {
        const v = { v: 1 };
        return { x: v, y: v };
      })(),
    ],
    ['circular inside arrays', { list }],
    ['ref deeper than next leaf', { a }],
    ['multiline + CRLF + lone CR', { s: 'l1\nl2\r\nl3\rl4' }],
    ['undefined / NaN / -0 / 1e21', { u: undefined, n: Number.NaN, z: -0, big: 1e21, tiny: 1e-7 }],
    ['empty object', {}],
    ['null root', null],
    ['string root', 'aiie caramba'],
    ['undefined root', undefined],
    ['function root', () => 1],
    ['lone surrogate', { s: 'a\ud800b' }],
    [
      'skipped keys and extra array properties',
      { 'a b': 1, é: 2, ok: Object.assign([1], { b: 2 }) },
    ],
    ['digit keys', { 0: 'x', 12: 'y', '007': 'z' }],
  ];

  test.each(cases)('%s', (_, value) => expectSame(value));

  test('exact texts', () => {
    expect(legacyStringify({ list }, { morphContexts: true, mergeArrays: true })).toBe(
      'list.+.n=1\n^.n=2\nlist.?.prev&=list.?\nlist.?&=list\n',
    );
    expect(legacyStringify({})).toBe('null');
    expect(legacyStringify({}, { morphContexts: true })).toBe('');
    expect(legacyStringify({ s: 'a\ud800b' })).toBe('s=a\ufffdb\n');
    expect(legacyStringify({ s: 'a\ud800b' }, { mergeArrays: true })).toBe('s=a\ud800b\n');
  });

  test('errors: ROOT_NOT_CONTAINER with 0.3.2 messages', () => {
    expect(() => legacyStringify('x')).toThrow(
      expect.objectContaining({
        code: 'ROOT_NOT_CONTAINER',
        reason: 'The stringified object must be an instance of Object.',
      }),
    );
    expect(() => legacyStringify(null)).toThrow(
      expect.objectContaining({
        code: 'ROOT_NOT_CONTAINER',
        reason: 'The root scope must be an Object or an Array.',
      }),
    );
    expect(() => legacyStringify(7, { mergeArrays: true })).toThrow(
      expect.objectContaining({ code: 'ROOT_NOT_CONTAINER' }),
    );
  });
});

describe('generated trees against 0.3.2', () => {
  test(`${RUNS} trees with shared and circular references, all four option sets`, () => {
    fc.assert(fc.property(jsTree, expectSame), { numRuns: RUNS });
  });

  test('stringify(parse(stringify(x))) is stable, as in 0.3.2', () => {
    fc.assert(
      fc.property(jsTree, (tree) => {
        const once = legacyStringify(tree);
        expect(legacyStringify(legacyParse(once))).toBe(oracle.stringify(oracle.parse(once)));
      }),
      { numRuns: RUNS / 4 },
    );
  });
});

describe('values 0.3.2 crashes on', () => {
  test('a symbol leaf is refused with UNSUPPORTED_VALUE', () => {
    expect(() => legacyStringify({ a: { s: Symbol('x') } })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_VALUE', path: 'a.s' }),
    );
  });

  test('a null-prototype object is a leaf, as in 0.3.2, refused when it has no conversion', () => {
    expect(() => legacyStringify({ a: Object.create(null) })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_VALUE' }),
    );
  });

  test('an own hasOwnProperty key does not break the walk', () => {
    expect(legacyStringify({ hasOwnProperty: 1, a: 2 })).toBe('hasOwnProperty=1\na=2\n');
  });
});

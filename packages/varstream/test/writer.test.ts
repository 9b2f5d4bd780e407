import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, stringify, TreeWriter, type VarStreamError } from '../src/index.js';
import { SHARED } from './helpers.js';

const require = createRequire(import.meta.url);
const v032 = require('varstream') as { parse(text: string): unknown };

const roundTrip = (value: unknown, options = {}) =>
  parse(stringify(value, options), { strict: true });

/** Keys that are safe to hand to 0.3.2 (it pollutes prototypes through inherited names). */
const safeFor032 = (key: string) =>
  !(key in {}) && !(key in []) && !(key in Function) && key !== 'prototype';

/** Same shape and same sharing: a bijection between the containers of a and b. */
function isomorphic(a: unknown, b: unknown, seen = new Map<object, object>()): boolean {
  if (a === null || typeof a !== 'object') return Object.is(a, b);
  if (b === null || typeof b !== 'object' || Array.isArray(a) !== Array.isArray(b)) return false;
  const mapped = seen.get(a);
  if (mapped !== undefined) return mapped === b;
  seen.set(a, b);
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (!isDeepStrictEqual(ka, kb)) return false;
  return ka.every((k) =>
    isomorphic((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], seen),
  );
}

describe('stringify: lossless round trip', () => {
  it('every JSON value, with every writer option', () => {
    for (const options of [
      {},
      { compress: false },
      { arrays: 'index' as const },
      { compress: false, arrays: 'index' as const },
    ]) {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          expect(roundTrip(value, options)).toStrictEqual(value);
        }),
        { numRuns: 1500 },
      );
    }
  });

  it('any key and any string, lone surrogates and control characters included', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(text, tie('node'), { maxKeys: 4, noNullPrototype: true }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (v) => {
        expect(roundTrip(v)).toStrictEqual(v);
      }),
      { numRuns: 3000 },
    );
  });

  it('strings that look typed, empty containers, numbers at the edges', () => {
    const value = {
      s: [
        '123',
        '-0',
        'true',
        'null',
        'NaN',
        'Infinity',
        '{}',
        '[]',
        '',
        '"q"',
        '\nlead',
        'x\\',
        'a\\nb',
        ' 1',
        '1e5',
        'é\r\n',
      ],
      e: [{}, [], [[]], { a: {} }],
      n: [
        -0,
        0,
        1e21,
        1e-7,
        5e-324,
        1.7976931348623157e308,
        -1.5e-300,
        Number.NaN,
        Number.POSITIVE_INFINITY,
      ],
    };
    expect(roundTrip(value)).toStrictEqual(value);
    expect(Object.is(roundTrip(-0) as number, -0)).toBe(true);
    for (const root of [5, 'x', null, true, [], {}, '', [[]]])
      expect(roundTrip(root)).toStrictEqual(root);
  });

  it('shared and circular references keep their identity', () => {
    const graph = fc
      .tuple(
        fc.jsonValue({ maxDepth: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 3 })), { maxLength: 6 }),
      )
      .map(([json, edges]) => {
        const root = { data: json, more: { list: [{}, { x: 1 }] } } as Record<string, unknown>;
        const containers: object[] = [];
        const collect = (v: unknown) => {
          if (v === null || typeof v !== 'object') return;
          containers.push(v);
          for (const k of Object.keys(v)) collect((v as Record<string, unknown>)[k]);
        };
        collect(root);
        for (const [from, to, key] of edges) {
          const source = containers[from % containers.length]!;
          const target = containers[to % containers.length]!;
          if (Array.isArray(source)) source.push(target);
          else (source as Record<string, unknown>)[`r${key}`] = target;
        }
        return root;
      });
    fc.assert(
      fc.property(graph, (value) => {
        const text = stringify(value);
        expect(isomorphic(value, parse(text, { strict: true }))).toBe(true);
        expect(stringify(parse(text))).toBe(text);
      }),
      { numRuns: 1500 },
    );
  });

  it('references: false writes shared values in full and refuses a circular one (it looped)', () => {
    const shared = { x: 1 };
    expect(stringify({ a: shared, b: [shared] }, { references: false })).toBe('a.x=1\nb.!.x=1\n');
    const circular: Record<string, unknown> = { a: { b: [1] } };
    (circular.a as { b: unknown[] }).b.push(circular);
    expect(() => stringify(circular, { references: false })).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_VALUE', path: '1' }),
    );
    const self: unknown[] = [];
    self.push(self);
    expect(() => stringify(self, { references: false })).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_VALUE' }),
    );
  });

  it('follows JSON.stringify for what JSON drops: undefined, functions, toJSON', () => {
    const date = new Date(0);
    expect(roundTrip({ a: undefined, b: () => 1, c: date })).toStrictEqual(
      JSON.parse(JSON.stringify({ a: undefined, b: () => 1, c: date })),
    );
    const holes = roundTrip({ d: [1, undefined, 3] }) as { d: unknown[] };
    expect(holes.d.length).toBe(3);
    expect(1 in holes.d).toBe(false);
    expect(() => stringify({ big: 1n })).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_VALUE' }),
    );
  });

  it('writes very deep trees without recursion, and sparse arrays without walking holes', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    const text = stringify(deep);
    expect(text.length).toBeGreaterThan(200_000);
    const back = parse(text, { limits: { maxPathDepth: 200_000 } });
    expect(stringify(back)).toBe(text);
    const sparse: unknown[] = [];
    sparse[3] = 'a';
    sparse[4_000_000_000] = 'b';
    expect(stringify({ sparse })).toBe('sparse.3=a\n^.4000000000=b\n');
  });

  it('streams: read() returns bounded chunks that add up to the whole text', () => {
    const value = { records: Array.from({ length: 5000 }, (_, i) => ({ id: i, name: `n${i}` })) };
    const writer = new TreeWriter(value, { chunkSize: 1000 });
    const chunks = [...writer];
    expect(chunks.length).toBeGreaterThan(50);
    for (const chunk of chunks) expect(chunk.length).toBeLessThan(1000 + 200);
    expect(chunks.join('')).toBe(stringify(value));
  });
});

describe('stringify: what varstream 0.3.2 reads from it', () => {
  it('0.3.2 reads default output into the same tree, for data 0.3.2 can express', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/).filter(safeFor032);
    // Strings 0.3.2 round-trips: not typed-looking, no leading quote, no CR, no backslash at a line end.
    const str = fc
      .string({ maxLength: 10 })
      .filter(
        (s) =>
          s.length > 0 &&
          parse(`a=${s.replace(/\\/g, '\\\\')}\n`, { tolerant: true }) !== undefined,
      )
      .filter(
        (s) => stringify({ a: s }) === `a=${s.replace(/\\/g, '\\\\').replace(/\n/g, '\\\n')}\n`,
      );
    const num = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        str,
        num,
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
        fc.dictionary(key, tie('node'), { minKeys: 1, maxKeys: 4, noNullPrototype: true }),
      ),
    })).node;
    const root = fc.dictionary(key, value, { minKeys: 1, maxKeys: 5, noNullPrototype: true });
    fc.assert(
      fc.property(root, (v) => {
        expect(v032.parse(stringify(v))).toStrictEqual(v);
      }),
      { numRuns: 2000 },
    );
  });

  it('0.3.2 never throws reading default output, whatever the data', () => {
    const key = fc.string({ maxLength: 6 }).filter(safeFor032);
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string({ unit: 'binary', maxLength: 8 }),
        fc.double(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.dictionary(key, tie('node'), { maxKeys: 3 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 4, noNullPrototype: true }), (v) => {
        expect(() => v032.parse(stringify(v))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('stringify: size', () => {
  const dir = join(SHARED, 'compare');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`${file}: no larger than the JSON`, () => {
      const json = readFileSync(join(dir, file), 'utf8');
      const value = JSON.parse(json);
      const text = stringify(value);
      expect(text.length).toBeLessThanOrEqual(json.length);
      const errors: VarStreamError[] = [];
      expect(parse(text, { onError: (e) => errors.push(e) })).toStrictEqual(value);
      expect(errors).toEqual([]);
    });
  }
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonError } from '../src/json/errors.js';
import { checkJson, type JsonLoss, JsonWriter, toJsonText } from '../src/json/json-writer.js';
import {
  JsonToVarStream,
  type JsonToVarStreamOptions,
  jsonToVarStream,
} from '../src/json/to-varstream.js';
import { JsonStreamParser } from '../src/json/value-builder.js';
import { parse } from '../src/parse.js';
import { stringify } from '../src/stringify.js';
import { cut, jsonFixtures, pieces } from './support/fixtures.js';
import { randomChunkings, splitOffsets } from './support/split-plan.js';

const encoder = new TextEncoder();

const MODES: JsonToVarStreamOptions[] = [
  {},
  { compress: false },
  { arrays: 'index' },
  { compress: false, arrays: 'index' },
];

function convert(
  chunks: readonly (string | Uint8Array)[],
  options?: JsonToVarStreamOptions,
): string {
  const converter = new JsonToVarStream(options);
  let out = '';
  for (const chunk of chunks) out += converter.write(chunk);
  return out + converter.end();
}

function parseJsonChunks(chunks: readonly (string | Uint8Array)[]): unknown {
  const parser = new JsonStreamParser();
  for (const chunk of chunks) parser.write(chunk);
  return parser.end();
}

function offsetsFrom(cuts: readonly number[], length: number): number[] {
  return [...new Set(cuts.map((c) => c % (length + 1)))].sort((a, b) => a - b);
}

function errorTag(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof JsonError) return `${err.code}@${err.line}:${err.column}`;
    throw err;
  }
  return 'ok';
}

/** JSON.parse, as a tag: the value's JSON, or 'throws'. */
function jsonParseTag(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** JSON text with arbitrary key order and duplicate keys (which JSON.stringify never writes). */
const rawJson: fc.Arbitrary<string> = fc.letrec<{ value: string; object: string; array: string }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('null', 'true', 'false', '0', '-0', '1e400', '-1.5e-7', '12', '"x"', '""'),
      fc.string().map((s) => JSON.stringify(s)),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
      tie('object'),
      tie('array'),
    ),
    object: fc
      .array(
        fc.tuple(
          fc.constantFrom('a', 'b', '0', '1', '10', '__proto__', 'x y', '', '-1', '01'),
          tie('value'),
        ),
        { maxLength: 6 },
      )
      .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
    array: fc.array(tie('value'), { maxLength: 5 }).map((items) => `[${items.join(',')}]`),
  }),
).value;

/** Arbitrary JSON whitespace around the structural characters. */
function spaced(text: string, seed: number): string {
  const ws = [' ', '\n', '\r\n', '\t', '', '', ''];
  let out = '';
  let inString = false;
  let k = seed;
  const pad = (): string => {
    k = (k * 1103515245 + 12345) & 0x7fffffff;
    return ws[k % ws.length]!;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i]!;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    out += '{}[]:,'.includes(c) ? pad() + c + pad() : c;
  }
  return pad() + out + pad();
}

describe('JSON to VarStream', () => {
  it('property: byte for byte stringify(JSON.parse(json)), read back by parse() as JSON.parse(json)', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.nat(),
        (value, cuts, seed) => {
          for (const json of [
            JSON.stringify(value),
            JSON.stringify(value, null, 2),
            spaced(JSON.stringify(value), seed),
          ]) {
            const expectedValue = JSON.parse(json);
            const bytes = encoder.encode(json);
            for (const options of MODES) {
              const expected = stringify(expectedValue, options);
              expect(convert(cut(json, offsetsFrom(cuts, json.length)), options)).toBe(expected);
              expect(convert(cut(bytes, offsetsFrom(cuts, bytes.length)), options)).toBe(expected);
              expect(parse(expected, { strict: true })).toStrictEqual(expectedValue);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: fc.json() texts', () => {
    fc.assert(
      fc.property(fc.json(), (json) => {
        const out = jsonToVarStream(json);
        expect(out).toBe(stringify(JSON.parse(json)));
        expect(parse(out, { strict: true })).toStrictEqual(JSON.parse(json));
      }),
      { numRuns: 500 },
    );
  });

  it('property: any key order and duplicate keys read back as JSON.parse(json), key order included', () => {
    fc.assert(
      fc.property(rawJson, fc.array(fc.nat(), { maxLength: 4 }), (json, cuts) => {
        const expected = JSON.parse(json);
        for (const options of [
          ...MODES,
          { maxTrackedKeys: 1 },
          { maxTrackedKeys: 0, arrays: 'index' as const },
        ]) {
          const out = convert(cut(json, offsetsFrom(cuts, json.length)), options);
          const back = parse(out, { strict: true });
          expect(back).toStrictEqual(expected);
          expect(JSON.stringify(back)).toBe(JSON.stringify(expected));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('duplicate keys: the last wins, nothing merges', () => {
    const json = '{"a":{"x":1},"b":2,"a":{"y":2},"c":[1,2,3],"c":[4]}';
    for (const options of MODES) {
      const out = jsonToVarStream(json, options);
      expect(parse(out, { strict: true })).toStrictEqual(JSON.parse(json));
    }
    expect(jsonToVarStream(json)).toBe('a.x=1\nb=2\na={}\na.y=2\nc.!=1\nc.+=2\nc.+=3\nc.!=4\n');
  });

  it('writes the root: scalars with ^0, {} as nothing, [] as ^0=[]', () => {
    expect(jsonToVarStream('"a b"')).toBe('^0=a b\n');
    expect(jsonToVarStream(' -0 ')).toBe('^0=-0\n');
    expect(jsonToVarStream('1E2')).toBe('^0=100\n');
    expect(jsonToVarStream('null')).toBe('^0=null\n');
    expect(jsonToVarStream('{}')).toBe('');
    expect(jsonToVarStream('[]')).toBe('^0=[]\n');
    expect(jsonToVarStream('[{}, []]')).toBe('!={}\n+=[]\n');
    expect(jsonToVarStream('{"1e400": 1e400, "n": -1e-400}')).toBe('1e400=Infinity\nn=-0\n');
  });

  it.each(jsonFixtures().map((f) => [f.name, f] as const))(
    '%s: byte for byte stringify(JSON.parse(text)), split at every boundary kind and in many chunks',
    (_name, fixture) => {
      for (const options of MODES) {
        const expected = stringify(JSON.parse(fixture.text), options);
        expect(convert([fixture.bytes], options)).toBe(expected);
        expect(parse(expected, { strict: true })).toStrictEqual(JSON.parse(fixture.text));
      }
      const expected = stringify(JSON.parse(fixture.text));
      for (const at of splitOffsets(fixture.bytes)) {
        expect(convert(cut(fixture.bytes, [at])), `byte ${at}`).toBe(expected);
      }
      for (const offsets of randomChunkings(fixture.bytes)) {
        expect(convert(cut(fixture.bytes, offsets)), `chunks at ${offsets}`).toBe(expected);
      }
      expect(convert(pieces(fixture.bytes, 1))).toBe(expected);
      expect(convert(pieces(fixture.text, 1))).toBe(expected);
    },
  );

  it('any depth (no recursion), refused past maxPathDepth', () => {
    const depth = 20_000;
    const json = `${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`;
    const limits = { maxPathDepth: 2 * depth + 5 };
    const out = jsonToVarStream(json, { limits });
    expect(out).toBe(`${'a.!.'.repeat(depth - 1)}a.!=1\n`);
    expect(stringify(parse(out, { limits, strict: true }))).toBe(stringify(JSON.parse(json)));
    expect(errorTag(() => jsonToVarStream('[[[[1]]]]', { limits: { maxPathDepth: 3 } }))).toBe(
      'JSON_LIMIT@1:4',
    );
    expect(jsonToVarStream('[[[[]]]]', { limits: { maxPathDepth: 3 } })).toBe('!.!.!=[]\n');
  });

  it('refuses statements longer than maxStatementLength, and indices above maxArrayIndex', () => {
    const limits = { maxStatementLength: 10 };
    expect(jsonToVarStream('{"a":"abcdefgh"}', { limits })).toBe('a=abcdefgh\n');
    expect(errorTag(() => jsonToVarStream('{"a":"abcdefghi"}', { limits }))).toBe('JSON_LIMIT@1:6');
    expect(errorTag(() => jsonToVarStream('{"a":"12345678"}', { limits }))).toBe('JSON_LIMIT@1:6');
    expect(errorTag(() => jsonToVarStream('{"a":"12345678901"}', { limits }))).toBe(
      'JSON_LIMIT@1:6',
    );
    expect(
      errorTag(() => jsonToVarStream('[1,2,3]', { arrays: 'index', limits: { maxArrayIndex: 1 } })),
    ).toBe('JSON_LIMIT@1:6');
    expect(jsonToVarStream('[1,2,3]', { limits: { maxArrayIndex: 1 } })).toBe('!=1\n+=2\n+=3\n');
  });
});

describe('JsonTokenizer: exactly what JSON.parse accepts', () => {
  const jsonish = fc
    .array(
      fc.constantFrom(
        ...'{}[]:,"\\ 0123456789.eE+-tfnrulsabu/\n\r\t'.split(''),
        'true',
        'false',
        'null',
        '"a"',
        '\u0000',
        '\u00e9',
        '\uD83D',
        '\u{1F600}',
        '\\u00e9',
        '\\uD83D',
      ),
      { maxLength: 24 },
    )
    .map((a) => a.join(''));

  it('property: random JSON-ish text', () => {
    fc.assert(
      fc.property(jsonish, fc.array(fc.nat(), { maxLength: 3 }), (text, cuts) => {
        const expected = jsonParseTag(text);
        let got: { ok: true; value: unknown } | { ok: false; err: JsonError };
        try {
          got = { ok: true, value: parseJsonChunks(cut(text, offsetsFrom(cuts, text.length))) };
        } catch (err) {
          if (!(err instanceof JsonError)) throw err;
          got = { ok: false, err };
        }
        expect(got.ok, text).toBe(expected.ok);
        if (got.ok && expected.ok) expect(got.value).toStrictEqual(expected.value);
        if (!got.ok) {
          expect(got.err.line).toBeGreaterThanOrEqual(1);
          expect(got.err.column).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('property: one-character mutations of valid JSON', () => {
    const mutation = fc.tuple(
      fc.constantFrom('delete', 'insert', 'replace'),
      fc.nat(),
      fc.constantFrom(...'{}[]:,"\\ 0.e-+tfn\u0001x'.split('')),
    );
    fc.assert(
      fc.property(fc.json(), mutation, (json, [kind, at, c]) => {
        const i = at % (json.length + 1);
        const text =
          kind === 'delete'
            ? json.slice(0, i) + json.slice(i + 1)
            : kind === 'insert'
              ? json.slice(0, i) + c + json.slice(i)
              : json.slice(0, i) + c + json.slice(i + 1);
        const expected = jsonParseTag(text);
        let value: unknown;
        let ok = true;
        try {
          value = parseJsonChunks([text]);
        } catch (err) {
          if (!(err instanceof JsonError)) throw err;
          ok = false;
        }
        expect(ok, text).toBe(expected.ok);
        if (ok && expected.ok) expect(value).toStrictEqual(expected.value);
        // The converter accepts and refuses exactly the same texts.
        expect(
          errorTag(() => jsonToVarStream(text, { limits: { maxPathDepth: 1e9 } })) === 'ok',
        ).toBe(expected.ok);
      }),
      { numRuns: 2000 },
    );
  });

  const ERRORS: [string, string, string][] = [
    ['', 'JSON_UNEXPECTED_END@1:1', 'No JSON value'],
    ['  \n ', 'JSON_UNEXPECTED_END@2:2', 'No JSON value'],
    ['{"a":1,}', 'JSON_SYNTAX@1:8', 'trailing commas'],
    ['[1,2,]', 'JSON_SYNTAX@1:6', 'trailing commas'],
    ['[1 2]', 'JSON_SYNTAX@1:4', "expected ',' or ']'"],
    ['{"a" 1}', 'JSON_SYNTAX@1:6', "expected ':'"],
    ['{a:1}', 'JSON_SYNTAX@1:2', "expected a string key or '}'"],
    ['{"a":1 "b":2}', 'JSON_SYNTAX@1:8', "expected ',' or '}'"],
    ['[1}', 'JSON_SYNTAX@1:3', "expected ',' or ']'"],
    ['1 2', 'JSON_SYNTAX@1:3', 'after the JSON value'],
    ['{} x', 'JSON_SYNTAX@1:4', 'after the JSON value'],
    ['01', 'JSON_BAD_NUMBER@1:2', 'Leading zeros'],
    ['-', 'JSON_BAD_NUMBER@1:2', "after '-'"],
    ['[-x]', 'JSON_BAD_NUMBER@1:3', "after '-'"],
    ['1.', 'JSON_BAD_NUMBER@1:3', "after '.'"],
    ['[1.e5]', 'JSON_BAD_NUMBER@1:4', "after '.'"],
    ['1e', 'JSON_BAD_NUMBER@1:3', 'exponent'],
    ['[1e+]', 'JSON_BAD_NUMBER@1:5', 'exponent'],
    ['.5', 'JSON_SYNTAX@1:1', 'expected a value'],
    ['+1', 'JSON_SYNTAX@1:1', 'expected a value'],
    ['tru', 'JSON_UNEXPECTED_END@1:4', "'true'"],
    ['[trUe]', 'JSON_SYNTAX@1:4', "expected 'true'"],
    ['nul,', 'JSON_SYNTAX@1:4', "expected 'null'"],
    ['"abc', 'JSON_UNEXPECTED_END@1:5', 'Unterminated string'],
    ['{"abc', 'JSON_UNEXPECTED_END@1:6', 'Unterminated key'],
    ['"a\nb"', 'JSON_BAD_STRING@1:3', 'Line break'],
    ['"a\tb"', 'JSON_BAD_STRING@1:3', 'Control character'],
    ['"a\\x"', 'JSON_BAD_ESCAPE@1:3', 'Invalid escape'],
    ['"\\u12G4"', 'JSON_BAD_ESCAPE@1:2', '4 hexadecimal digits'],
    ['[1,\r\n  {"a": tru}\r\n]', 'JSON_SYNTAX@2:12', "expected 'true'"],
    ['[\n\n\r\r\n  x]', 'JSON_SYNTAX@5:3', 'expected a value'],
    ['[[[', 'JSON_UNEXPECTED_END@1:4', '3 unclosed containers'],
    ['{"a":[', 'JSON_UNEXPECTED_END@1:7', '2 unclosed containers'],
    ['\uFEFF{}', 'JSON_SYNTAX@1:1', 'U+FEFF'],
  ];

  it.each(ERRORS)('%j: %s', (text, expected, message) => {
    expect(jsonParseTag(text).ok).toBe(false);
    expect(errorTag(() => parseJsonChunks([text]))).toBe(expected);
    expect(() => parseJsonChunks([text])).toThrow(message);
    // The same error wherever the text is split, as text or as bytes.
    for (let at = 0; at <= text.length; at++) {
      expect(
        errorTag(() => parseJsonChunks(cut(text, [at]))),
        `split at ${at}`,
      ).toBe(expected);
      expect(errorTag(() => convert(cut(text, [at])))).toBe(expected);
    }
    // (As bytes, a leading BOM is ignored.)
    if (!text.startsWith('\uFEFF')) {
      expect(errorTag(() => parseJsonChunks(pieces(encoder.encode(text), 1)))).toBe(expected);
    }
  });

  it('error messages carry the position', () => {
    expect(() => parseJsonChunks(['{\n  "a": 01}'])).toThrow(
      'Leading zeros are not allowed in a number at line 2, column 9',
    );
  });

  it('UTF-8: characters split across chunks, invalid bytes reported where they start, BOM ignored', () => {
    const json = '{"é":"\u{1F600}x\u00e9", "k": ["\u4e2d"]}';
    const bytes = encoder.encode(json);
    for (let at = 0; at <= bytes.length; at++) {
      expect(parseJsonChunks(cut(bytes, [at]))).toStrictEqual(JSON.parse(json));
    }
    const bad = new Uint8Array([0x5b, 0x0a, 0x20, 0x22, 0x61, 0xc3, 0x28, 0x22, 0x5d]); // [\n "a\xC3("]
    for (let at = 0; at <= bad.length; at++) {
      expect(errorTag(() => parseJsonChunks(cut(bad, [at])))).toBe('JSON_BAD_UTF8@2:4');
    }
    expect(() => parseJsonChunks([bad])).toThrow('Invalid UTF-8 at byte 5');
    const truncated = new Uint8Array([0x22, 0xe2, 0x82]);
    expect(errorTag(() => parseJsonChunks([truncated]))).toBe('JSON_BAD_UTF8@1:2');
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('{"a":1}')]);
    for (let at = 0; at <= bom.length; at++) {
      expect(parseJsonChunks(cut(bom, [at]))).toStrictEqual({ a: 1 });
    }
    // A BOM elsewhere is a character like any other: an error outside strings.
    expect(errorTag(() => parseJsonChunks([encoder.encode(' \uFEFF1')]))).toBe('JSON_SYNTAX@1:2');
  });

  it('refuses to go on after an error or after end()', () => {
    const converter = new JsonToVarStream();
    expect(() => converter.write('[1,,')).toThrow(JsonError);
    expect(() => converter.write('2]')).toThrow('stopped at an error');
    const done = new JsonToVarStream();
    done.end('1');
    expect(() => done.write('2')).toThrow('after end');
  });

  it('bounds a token by maxStatementLength', () => {
    const converter = new JsonToVarStream({ limits: { maxStatementLength: 100 } });
    converter.write('{"a": "');
    expect(() => {
      for (let i = 0; i < 10; i++) converter.write('x'.repeat(20));
    }).toThrow(/String longer than 100/);
  });
});

describe('JsonWriter', () => {
  function hasNegativeZero(value: unknown): boolean {
    if (Object.is(value, -0)) return true;
    if (value === null || typeof value !== 'object') return false;
    return Object.values(value).some(hasNegativeZero);
  }

  it('property: JSON.stringify(value, null, indent), -0 kept as -0, in chunks', () => {
    fc.assert(
      fc.property(
        fc.jsonValue(),
        fc.constantFrom(undefined, 2, 4, '\t', 12),
        fc.integer({ min: 1, max: 50 }),
        (value, indent, chunkSize) => {
          const options = indent === undefined ? {} : { indent };
          const text = toJsonText(value, options);
          if (!hasNegativeZero(value)) expect(text).toBe(JSON.stringify(value, null, indent));
          expect(JSON.parse(text)).toStrictEqual(value);
          expect([...new JsonWriter(value, { ...options, chunkSize })].join('')).toBe(text);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes what JSON.stringify writes for holes, NaN, undefined, toJSON', () => {
    const value = {
      // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
      holes: [1, , 3],
      nan: Number.NaN,
      inf: [Number.POSITIVE_INFINITY],
      undef: undefined,
      fn: () => 1,
      list: [undefined, () => 1],
      date: new Date(0),
      empty: { gone: undefined },
    };
    expect(toJsonText(value)).toBe(JSON.stringify(value));
    expect(toJsonText(value, { indent: 2 })).toBe(JSON.stringify(value, null, 2));
    expect(toJsonText(-0)).toBe('-0');
  });

  it('refuses a circular reference', () => {
    const value: Record<string, unknown> = { a: { b: 1 } };
    (value.a as Record<string, unknown>).self = value;
    expect(() => toJsonText(value)).toThrow(JsonError);
    expect(() => toJsonText(value)).toThrow(
      'circular reference cannot be written as JSON at path a.self',
    );
  });

  it('checkJson: shared and circular references are errors, NaN and holes are losses', () => {
    const shared = { x: 1 };
    expect(() => checkJson({ a: shared, b: [shared] })).toThrow(
      'Shared reference: the same value as a (JSON would duplicate it) at path b.0',
    );
    const loop: Record<string, unknown> = { a: { b: {} } };
    ((loop.a as Record<string, unknown>).b as Record<string, unknown>).up = loop.a;
    expect(() => checkJson(loop)).toThrow(
      'Circular reference to a: JSON cannot hold it at path a.b.up',
    );
    const losses: JsonLoss[] = [];
    // biome-ignore lint/suspicious/noSparseArray: a hole on purpose
    checkJson({ n: Number.NaN, list: [1, , Number.NEGATIVE_INFINITY] }, (loss) =>
      losses.push(loss),
    );
    expect(losses).toEqual([
      { path: 'n', reason: 'NaN is not JSON: written as null' },
      { path: 'list.1', reason: 'An array hole is not JSON: written as null' },
      { path: 'list.2', reason: '-Infinity is not JSON: written as null' },
    ]);
    expect(() => checkJson(JSON.parse('{"a":[{"b":{}}, {"b":{}}]}'))).not.toThrow();
  });
});

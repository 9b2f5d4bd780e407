/**
 * LegacyReader / legacyParse against the real varstream 0.3.2: the behaviour
 * catalogue, the reference fixtures, the 0-result.dat sequence, round trips,
 * chunking at every boundary kind, UTF-8 streams and error reporting.
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, test } from 'vitest';
import { VarStreamError } from '../src/errors.js';
import { LegacyReader, legacyParse, legacyStringify } from '../src/legacy/index.js';
import {
  behaviourInputs,
  bytesOf,
  COMPARE,
  datFiles,
  disagreement,
  FIXTURES,
  legacyRead,
  oracle,
  oracleRead,
  parseDisagreement,
  SHARED,
  textOf,
} from './legacy.helpers.js';
import { cut } from './support/fixtures.js';
import { randomChunkings, splitOffsets } from './support/split-plan.js';

function expectSame(input: string, strict: boolean): void {
  const theirs = oracleRead([input], strict);
  const ours = legacyRead([input], strict);
  const problem = disagreement(theirs, ours);
  if (problem !== null) {
    expect.fail(`${strict ? 'strict' : 'tolerant'} ${JSON.stringify(input)}\n${problem}`);
  }
}

function expectSameParse(input: string): void {
  const problem = parseDisagreement(input);
  if (problem !== null) expect.fail(`${JSON.stringify(input)}\n${problem}`);
}

const fixtureNames = datFiles(FIXTURES);
const allFiles = [
  ...fixtureNames.map((name) => join(FIXTURES, name)),
  ...datFiles(COMPARE).map((name) => join(COMPARE, name)),
  join(SHARED, 'websockipc-vars.dat'),
];

describe('behaviour-0.3.2.txt, every input', () => {
  const inputs = behaviourInputs();

  test('the catalogue has its 138 inputs', () => {
    expect(inputs.length).toBe(138);
  });

  test.each(inputs.map((input) => [JSON.stringify(input), input] as const))('%s', (_, input) => {
    expectSame(input, false);
    expectSame(input, true);
    expectSameParse(input);
  });
});

describe('reference data files', () => {
  test.each(allFiles.map((path) => [path.slice(SHARED.length + 1), path] as const))(
    '%s reads as in 0.3.2, tolerant and strict',
    (_, path) => {
      const text = textOf(path);
      expectSame(text, false);
      expectSame(text, true);
      expectSameParse(text);
    },
  );
});

describe('0-result.dat sequence', () => {
  const sequence = [
    '1-simple.dat',
    '2-trees.dat',
    '3-delete.dat',
    '4-backward.dat',
    '5-operators.dat',
    '6-arrays.dat',
    '7-truncated-part1.dat',
    '7-truncated-part2.dat',
    '8-rightval.dat',
  ];

  test('one reader over the nine fixtures writes exactly 0-result.dat', () => {
    const scope: { vars?: unknown } = {};
    const reader = new LegacyReader(scope, 'vars');
    for (const name of sequence) reader.write(bytesOf(join(FIXTURES, name)));
    reader.end();
    const expected = bytesOf(join(FIXTURES, '0-result.dat'));
    const written = legacyStringify(scope.vars);
    expect(new Uint8Array(Buffer.from(written, 'utf8'))).toEqual(expected);
  });

  test('the tree is the one 0.3.2 builds from the same sequence', () => {
    const ours: { vars?: unknown } = {};
    const theirs: { vars?: unknown } = {};
    const reader = new LegacyReader(ours, 'vars');
    const oracleReader = new oracle.Reader(theirs, 'vars');
    for (const name of sequence) {
      reader.write(textOf(join(FIXTURES, name)));
      oracleReader.read(textOf(join(FIXTURES, name)));
    }
    expect(isDeepStrictEqual(ours, theirs)).toBe(true);
  });
});

describe('round trips', () => {
  test.each(['y-complexarray.dat', 'z-circular.dat'])('%s', (name) => {
    const once = legacyStringify(legacyParse(textOf(join(FIXTURES, name))));
    expect(legacyStringify(legacyParse(once))).toBe(once);
    expect(once).toBe(oracle.stringify(oracle.parse(textOf(join(FIXTURES, name)))));
  });
});

describe('chunking', () => {
  function readChunks(chunks: readonly (string | Uint8Array)[]): Record<string, unknown> {
    return legacyRead(chunks, false).tree;
  }

  test.each(allFiles.map((path) => [path.slice(SHARED.length + 1), path] as const))(
    '%s: same tree split at every boundary kind (every offset when small) and in many chunks',
    (_, path) => {
      const bytes = bytesOf(path);
      const text = textOf(path);
      const whole = readChunks([text]);
      expect(isDeepStrictEqual(readChunks([bytes]), whole)).toBe(true);
      // Every offset of the small files; a sample of every boundary kind for the big ones.
      for (const k of splitOffsets(bytes)) {
        const split = readChunks(cut(bytes, [k]));
        if (!isDeepStrictEqual(split, whole)) expect.fail(`byte split at ${k}`);
      }
      for (const k of splitOffsets(text)) {
        const split = readChunks(cut(text, [k]));
        if (!isDeepStrictEqual(split, whole)) expect.fail(`string split at ${k}`);
      }
      for (const offsets of randomChunkings(bytes)) {
        const split = readChunks(cut(bytes, offsets));
        if (!isDeepStrictEqual(split, whole)) expect.fail(`bytes cut at ${offsets}`);
      }
    },
  );

  test('one byte at a time', () => {
    for (const path of allFiles) {
      const bytes = bytesOf(path);
      const chunks = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
      expect(isDeepStrictEqual(readChunks(chunks), readChunks([textOf(path)]))).toBe(true);
    }
  });
});

describe('UTF-8 byte streams', () => {
  const text = 'a=héllo wörld €😀\n';
  const bytes = new TextEncoder().encode(text);

  test('a character split across chunks decodes correctly (0.3.2 corrupts it)', () => {
    for (let k = 0; k <= bytes.length; k++) {
      const tree: { p?: { a?: unknown } } = {};
      const reader = new LegacyReader(tree, 'p', { strict: true });
      reader.write(bytes.subarray(0, k));
      reader.write(bytes.subarray(k));
      reader.end();
      expect(tree.p?.a).toBe('héllo wörld €😀');
    }
  });

  test('invalid bytes: U+FFFD and BAD_UTF8 in tolerant mode, like Buffer#toString', () => {
    const input = new Uint8Array([0x61, 0x3d, 0xff, 0xfe, 0xc3, 0x28, 0xe2, 0x82, 0x41, 0x0a]);
    const errors: VarStreamError[] = [];
    const tree: { p?: { a?: unknown } } = {};
    const reader = new LegacyReader(tree, 'p', { onError: (e) => errors.push(e) });
    reader.write(input);
    reader.end();
    expect(tree.p?.a).toBe(Buffer.from(input).toString('utf8').slice(2, -1));
    expect(tree.p?.a).toBe('\ufffd\ufffd\ufffd(\ufffdA');
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ['BAD_UTF8', 1, 3],
      ['BAD_UTF8', 1, 4],
      ['BAD_UTF8', 1, 5],
      ['BAD_UTF8', 1, 7],
    ]);
  });

  test('invalid bytes: strict mode throws BAD_UTF8 after applying what came before', () => {
    const tree: { p?: Record<string, unknown> } = {};
    const reader = new LegacyReader(tree, 'p', { strict: true });
    expect(() => reader.write(new Uint8Array([0x62, 0x3d, 0x31, 0x0a, 0x61, 0x3d, 0xc0]))).toThrow(
      expect.objectContaining({ code: 'BAD_UTF8', line: 2, column: 3 }),
    );
    expect(tree.p).toEqual({ b: 1 });
    expect(() => reader.write('c=1\n')).toThrow(expect.objectContaining({ code: 'STREAM_STATE' }));
  });

  test('an incomplete character at the end is reported by end()', () => {
    const errors: string[] = [];
    const reader = new LegacyReader({}, 'p', { onError: (e) => errors.push(e.code) });
    reader.write(new Uint8Array([0x61, 0x3d, 0xe2, 0x82]));
    reader.end();
    expect(errors).toEqual(['BAD_UTF8']);
    const strict = new LegacyReader({}, 'p', { strict: true });
    strict.write(new Uint8Array([0x61, 0x3d, 0xe2, 0x82]));
    expect(() => strict.end()).toThrow(expect.objectContaining({ code: 'BAD_UTF8' }));
  });

  test('a string chunk after an incomplete character ends that character', () => {
    const errors: string[] = [];
    const tree: { p?: { a?: unknown } } = {};
    const reader = new LegacyReader(tree, 'p', { onError: (e) => errors.push(e.code) });
    reader.write(new Uint8Array([0x61, 0x3d, 0xe2, 0x82]));
    reader.write('x\n');
    expect(tree.p?.a).toBe('\ufffdx');
    expect(errors).toEqual(['BAD_UTF8']);
  });

  test('random bytes decode exactly like Buffer#toString', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const pool = [0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xef];
    pool.push(0xf0, 0x90, 0xf4, 0x8f, 0xf5, 0xff, 0x3d);
    for (let run = 0; run < 3000; run++) {
      const bytes = new Uint8Array(1 + Math.floor(random() * 12));
      for (let i = 0; i < bytes.length; i++) bytes[i] = pool[Math.floor(random() * pool.length)]!;
      const input = new Uint8Array([0x61, 0x3d, ...bytes.filter((b) => b !== 0x0a), 0x0a]);
      const tree: { p?: { a?: unknown } } = {};
      const reader = new LegacyReader(tree, 'p');
      const cut = Math.floor(random() * input.length);
      reader.write(input.subarray(0, cut));
      reader.write(input.subarray(cut));
      const expected = oracle.parse(Buffer.from(input).toString('utf8')) as { a?: unknown };
      expect(tree.p?.a).toBe(expected.a);
    }
  });
});

describe('errors', () => {
  test('strict errors carry 0.3.2 message, a stable code and a position', () => {
    const cases: [string, string, string, number, number][] = [
      ['x=1\na b=1\n', 'BAD_SEGMENT', 'Illegal chars found in a the node "a b".', 2, 1],
      ['a.b c=1\n', 'BAD_SEGMENT', 'Illegal chars found in a the node "b c".', 1, 3],
      ['a..b=1\n', 'EMPTY_SEGMENT', "The leftValue can't have empty nodes (a..b).", 1, 3],
      ['^x=1\n', 'BAD_BACKREF', 'Malformed backward reference.', 1, 1],
      [
        '^2=1\n',
        'BACKREF_RANGE',
        'Backward reference index is greater than the previous node max index.',
        1,
        1,
      ],
      ['=1\n', 'EMPTY_PATH', 'Found an empty leftValue.', 1, 2],
      ['a+=\n', 'EMPTY_VALUE', 'Found an empty rightValue.', 1, 4],
      ['a\n', 'NO_OPERATOR', 'Unexpected new line found while parsing  a leftValue.', 1, 2],
      [
        'a+ =1\n',
        'BAD_OPERATOR',
        'Unexpected char after the "+" operator. Expected "=" found " ".',
        1,
        3,
      ],
      ['a=x\\y\n', 'BAD_ESCAPE', 'Found an escape char but there was nothing to escape.', 1, 4],
      [
        'a=x\\\ny\\z\n',
        'BAD_ESCAPE',
        'Found an escape char but there was nothing to escape.',
        2,
        2,
      ],
      ['a=x\\\ry\n', 'BAD_ESCAPE', 'Assuming a LF after an escaped CR, y found instead.', 2, 1],
      ['b=1\r\nc&=a-b\r\n', 'BAD_SEGMENT', 'Illegal chars found in a the node "a-b".', 2, 4],
    ];
    for (const [input, code, reason, line, column] of cases) {
      let error: unknown;
      try {
        legacyParse(input, { strict: true });
      } catch (e) {
        error = e;
      }
      expect(error, input).toBeInstanceOf(VarStreamError);
      const e = error as VarStreamError;
      expect([e.code, e.reason, e.line, e.column], JSON.stringify(input)).toEqual([
        code,
        reason,
        line,
        column,
      ]);
      expect(e.message.startsWith(reason)).toBe(true);
    }
  });

  test('tolerant mode reports the same errors and goes on as 0.3.2', () => {
    const errors: VarStreamError[] = [];
    const tree = legacyParse('a b=1\nc=2\na.-1=x\n^9.x=1\nd=3\n', {
      onError: (e) => errors.push(e),
    });
    expect(tree).toEqual({ c: 2, d: 3 });
    expect(errors.map((e) => e.code)).toEqual(['BAD_SEGMENT', 'BAD_SEGMENT', 'BACKREF_RANGE']);
    expect(isDeepStrictEqual(tree, oracle.parse('a b=1\nc=2\na.-1=x\n^9.x=1\nd=3\n'))).toBe(true);
  });

  test('no error, no call: onError is optional', () => {
    expect(legacyParse('a b=1\nc=2\n')).toEqual({ c: 2 });
  });

  test('a last line without a line break is never applied, in both modes', () => {
    expect(legacyParse('a=1\nb=2')).toEqual({ a: 1 });
    expect(legacyParse('a=1\nb b=2', { strict: true })).toEqual({ a: 1 });
  });

  test('write after end is refused', () => {
    const reader = new LegacyReader({}, 'p');
    reader.end();
    expect(() => reader.write('a=1\n')).toThrow(expect.objectContaining({ code: 'STREAM_STATE' }));
  });

  test('the reader needs an object', () => {
    expect(() => new LegacyReader(null as unknown as object, 'p')).toThrow(
      expect.objectContaining({ code: 'ROOT_NOT_CONTAINER' }),
    );
  });
});

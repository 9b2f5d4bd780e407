/**
 * `@varstream/varstream/compat` against the real varstream 0.3.2, without
 * streams: the surface (constructors with and without `new`, aliases, flags),
 * `VarStream.parse`, `VarStream.stringify`, `VarStream.Reader` (tolerant and
 * strict, whole and in seeded random chunks) and `VarStream.Writer` (every
 * option set, line by line), error classes and messages compared exactly.
 */
import { join } from 'node:path';
import { inspect, isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import VarStream, {
  VarStreamCompatError,
  VarStreamCompatSyntaxError,
  VarStreamReader,
  VarStreamWriter,
} from '../src/compat/index.js';
import { OracleVarStream, randomChunks, thrown } from './compat.helpers.js';
import {
  cleanDocument,
  cuts,
  document,
  jsTree,
  mutatedDocument,
  splitAt,
} from './legacy.arbitraries.js';
import {
  behaviourInputs,
  bytesOf,
  COMPARE,
  datFiles,
  FIXTURES,
  isSafeForOracle,
  SHARED,
  textOf,
} from './legacy.helpers.js';

const RUNS = Number(process.env.COMPAT_FUZZ_RUNS ?? 500);

const FILES = [
  ...datFiles(FIXTURES).map((name) => join(FIXTURES, name)),
  ...datFiles(COMPARE).map((name) => join(COMPARE, name)),
  join(SHARED, 'websockipc-vars.dat'),
];

const WRITER_FLAGS = [0, 2, 4, 6];

/** The one place the class differs: 0.3.2 throws this text as a SyntaxError in continuation lines. */
function sameError(
  theirs: { name: string; message: string } | undefined,
  ours: { name: string; message: string } | undefined,
): boolean {
  if (isDeepStrictEqual(theirs, ours)) return true;
  return (
    theirs?.name === 'SyntaxError' &&
    ours?.name === 'Error' &&
    theirs.message === 'Found an escape char but there was nothing to escape.' &&
    ours.message === theirs.message
  );
}

/** 0.3.2 crashing with an error of JavaScript's own (legacy mode reports those instead). */
function crashed(error: { name: string } | undefined): boolean {
  return error !== undefined && error.name !== 'Error' && error.name !== 'SyntaxError';
}

/**
 * Both Readers (strict or not) over the same chunks: same tree, same error.
 * Where 0.3.2 crashes (a TypeError out of its own code, docs/LEGACY.md 4),
 * ours must not, and the runs are not compared further.
 */
function expectSameRead(chunks: readonly string[], options: number, label: string): void {
  const theirsRoot = {};
  const oursRoot = {};
  const reader = new OracleVarStream.Reader(theirsRoot, 'prop', options);
  const theirs = thrown(() => {
    for (const chunk of chunks) reader.read(chunk);
  });
  const compat = new VarStream.Reader(oursRoot, 'prop', options);
  const ours = thrown(() => {
    for (const chunk of chunks) compat.read(chunk);
  });
  expect(crashed(ours), `${label}: ${inspect(ours)}`).toBe(false);
  if (crashed(theirs)) return;
  if (!isDeepStrictEqual(theirsRoot, oursRoot) || !sameError(theirs, ours)) {
    expect.fail(
      `${label}\n0.3.2: ${inspect(theirsRoot, { depth: 8 })} ${inspect(theirs)}\nours:  ${inspect(oursRoot, { depth: 8 })} ${inspect(ours)}`,
    );
  }
}

/** Every line each Writer passes to its callback, or the error. */
function writerLines(
  Writer: { new (cb: (text: string) => void, options?: number): { write(v: unknown): void } },
  values: readonly unknown[],
  options: number,
): { lines: string[]; error: { name: string; message: string } | undefined } {
  const lines: string[] = [];
  const writer = new Writer((text) => lines.push(text), options);
  const error = thrown(() => {
    for (const value of values) writer.write(value);
  });
  return { lines, error };
}

function expectSameWriter(values: readonly unknown[], options: number): void {
  expect(writerLines(VarStream.Writer, values, options), `flags ${options}`).toEqual(
    writerLines(OracleVarStream.Writer, values, options),
  );
}

describe('the surface of require("varstream")', () => {
  test('VarStream, Reader and Writer work with and without new; aliases are the same objects', () => {
    const root = {};
    expect(VarStream(root, 'p')).toBeInstanceOf(VarStream);
    expect(new VarStream(root, 'p')).toBeInstanceOf(VarStream);
    expect(VarStream.Reader).toBe(VarStream.VarStreamReader);
    expect(VarStream.Writer).toBe(VarStream.VarStreamWriter);
    expect(VarStream.Reader).toBe(VarStreamReader);
    expect(VarStream.Writer).toBe(VarStreamWriter);
    const reader = VarStream.Reader(root, 'p');
    expect(reader).toBeInstanceOf(VarStream.Reader);
    reader.read('a=1\n');
    expect(root).toEqual({ p: { a: 1 } });
    const lines: string[] = [];
    const writer = VarStream.Writer((line) => lines.push(line));
    expect(writer).toBeInstanceOf(VarStreamWriter);
    writer.write({ a: 1 });
    expect(lines).toEqual(['a=1\n']);
    expect(typeof VarStream.parse).toBe('function');
    expect(typeof VarStream.stringify).toBe('function');
  });

  test("the constructors have 0.3.2's names", () => {
    expect([VarStream.name, VarStream.Reader.name, VarStream.Writer.name]).toEqual([
      OracleVarStream.name,
      OracleVarStream.Reader.name,
      OracleVarStream.Writer.name,
    ]);
    expect(inspect(VarStream.Reader({}, 'p', 1))).toBe('VarStreamReader { options: 1 }');
    expect(VarStream({}, 'p').constructor.name).toBe('VarStream');
  });

  test('the flags have 0.3.2 values', () => {
    for (const name of ['STRICT_MODE', 'OPTIONS'] as const) {
      expect(VarStream.Reader[name], name).toBe(OracleVarStream.Reader[name as 'STRICT_MODE']);
    }
    expect(VarStream.Writer.MORPH_CONTEXTS).toBe(OracleVarStream.Writer.MORPH_CONTEXTS);
    expect(VarStream.Writer.MERGE_ARRAYS).toBe(OracleVarStream.Writer.MERGE_ARRAYS);
    expect(VarStream.Writer.OPTIONS).toBe(6);
    expect(VarStream.Reader.OPTIONS).toBe(1);
  });

  test('constructor errors: same class, same message', () => {
    const cases: [unknown, unknown][] = [
      [undefined, 'p'],
      [null, 'p'],
      ['text', 'p'],
      [42, 'p'],
      [{}, undefined],
      [{}, ''],
      [{}, 3],
    ];
    const construct = (
      Ctor: (root: never, prop: never) => unknown,
      [root, prop]: [unknown, unknown],
    ) => thrown(() => Ctor(root as never, prop as never));
    for (const args of cases) {
      expect(construct(VarStream, args), inspect(args)).toEqual(construct(OracleVarStream, args));
    }
    const error = (() => {
      try {
        VarStream(null as never, 'p');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(VarStreamCompatError);
    expect((error as VarStreamCompatError).code).toBe('ROOT_NOT_CONTAINER');
  });
});

describe('VarStream.parse', () => {
  test.each(FILES.map((file) => [file.slice(SHARED.length + 1), file] as const))(
    '%s, as text and as a Buffer',
    (_, file) => {
      const text = textOf(file);
      expect(isSafeForOracle(text)).toBe(true);
      const theirs = OracleVarStream.parse(text);
      expect(VarStream.parse(text)).toStrictEqual(theirs);
      expect(VarStream.parse(Buffer.from(bytesOf(file)))).toStrictEqual(theirs);
      expect(VarStream.parse(bytesOf(file))).toStrictEqual(theirs);
    },
  );

  test('every input of the behaviour catalogue', () => {
    for (const input of behaviourInputs()) {
      expect(VarStream.parse(input), JSON.stringify(input)).toStrictEqual(
        OracleVarStream.parse(input),
      );
    }
  });

  test('lone surrogates and invalid UTF-8 bytes read as U+FFFD, as 0.3.2 reads them', () => {
    for (const input of ['a=x\ud800y\n', 'a=\udc00\n']) {
      expect(VarStream.parse(input)).toStrictEqual(OracleVarStream.parse(input));
    }
    const bytes = Buffer.from([0x61, 0x3d, 0xff, 0xfe, 0xc3, 0x28, 0x0a, 0x62, 0x3d, 0xe2, 0x82]);
    expect(VarStream.parse(bytes)).toStrictEqual(OracleVarStream.parse(bytes as never));
  });

  test('anything but text or bytes is a TypeError', () => {
    expect(() => VarStream.parse(undefined as never)).toThrow(TypeError);
    expect(() => VarStream.parse({} as never)).toThrow(TypeError);
  });
});

describe('VarStream.stringify', () => {
  test.each(FILES.map((file) => [file.slice(SHARED.length + 1), file] as const))(
    'the tree of %s',
    (_, file) => {
      const tree = OracleVarStream.parse(textOf(file));
      expect(VarStream.stringify(tree)).toBe(OracleVarStream.stringify(tree));
    },
  );

  test('every tree of the behaviour catalogue', () => {
    for (const input of behaviourInputs()) {
      const tree = OracleVarStream.parse(input);
      expect(VarStream.stringify(tree), JSON.stringify(input)).toBe(
        OracleVarStream.stringify(tree),
      );
    }
  });

  test('non-object roots: the messages of stringify and of Writer.write differ, as in 0.3.2', () => {
    const roots: unknown[] = [null, undefined, 0, 42, 'text', true, () => 1, {}, [], Symbol('s')];
    for (const root of roots) {
      const label = inspect(root);
      expect(
        thrown(() => VarStream.stringify(root)),
        label,
      ).toEqual(thrown(() => OracleVarStream.stringify(root)));
      if (typeof root === 'symbol') continue;
      expect(writerLines(VarStream.Writer, [root], 0), label).toEqual(
        writerLines(OracleVarStream.Writer, [root], 0),
      );
    }
    expect(thrown(() => VarStream.stringify(1))?.message).toBe(
      'The stringified object must be an instance of Object.',
    );
    expect(thrown(() => VarStream.stringify(null))?.message).toBe(
      'The root scope must be an Object or an Array.',
    );
    expect(thrown(() => VarStream.Writer(() => {}).write(1))?.message).toBe(
      'The root scope must be an Object or an Array.',
    );
  });

  test('generated trees (shared and circular references)', () => {
    fc.assert(
      fc.property(jsTree, (tree) => {
        expect(VarStream.stringify(tree)).toBe(OracleVarStream.stringify(tree));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('VarStream.Reader', () => {
  const inputs = behaviourInputs();

  test('every input of the behaviour catalogue, tolerant and strict (OPTIONS, true)', () => {
    for (const input of inputs) {
      for (const options of [0, VarStream.Reader.STRICT_MODE, VarStream.Reader.OPTIONS]) {
        expectSameRead([input], options, `${JSON.stringify(input)} options ${options}`);
      }
    }
    // `true & STRICT_MODE` is 1: 0.3.2 code passing `true` gets strict mode.
    expectSameRead(['a b=1\n'], true as never, 'true as options');
  });

  test('every input, in seeded random chunks', () => {
    for (const [n, input] of inputs.entries()) {
      for (const options of [0, 1]) {
        const chunks = randomChunks(input, n * 2 + options, 4);
        expectSameRead(chunks, options, `${JSON.stringify(chunks)} options ${options}`);
      }
    }
  });

  test('generated documents (grammar-aware, mostly valid, mutated), strict and tolerant, in chunks', () => {
    fc.assert(
      fc.property(
        fc.oneof(document, cleanDocument, mutatedDocument),
        cuts,
        fc.constantFrom(0, 1),
        (text, points, options) => {
          expect(isSafeForOracle(text)).toBe(true);
          expectSameRead(splitAt(text, points), options, JSON.stringify(text));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test.each(FILES.map((file) => [file.slice(SHARED.length + 1), file] as const))(
    '%s, tolerant and strict, in seeded random chunks',
    (_, file) => {
      const text = textOf(file);
      for (const options of [0, 1]) {
        expectSameRead([text], options, `${file} whole`);
        for (const seed of [1, 2, 3]) {
          expectSameRead(randomChunks(text, seed, 200), options, `${file} seed ${seed}`);
        }
      }
    },
  );

  test('the 0-result.dat sequence: one reader, files 1 to 8, then the Writer gives 0-result.dat', () => {
    const root = {};
    const reader = VarStream.Reader(root, 'prop');
    for (const name of datFiles(FIXTURES)) {
      if (/^[1-8]-/.test(name)) reader.read(textOf(join(FIXTURES, name)));
    }
    let out = '';
    VarStream.Writer((text) => {
      out += text;
    }).write((root as { prop: unknown }).prop);
    expect(out).toBe(textOf(join(FIXTURES, '0-result.dat')));
  });

  test('strict errors: 0.3.2 class and message, no position suffix; position in properties', () => {
    const reader = VarStream.Reader({}, 'prop', VarStream.Reader.STRICT_MODE);
    let error: unknown;
    try {
      reader.read('a=1\nb.c d=2\n');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SyntaxError);
    expect(error).toBeInstanceOf(VarStreamCompatSyntaxError);
    const e = error as VarStreamCompatSyntaxError;
    expect(e.message).toBe('Illegal chars found in a the node "c d".');
    expect(String(e)).toBe('SyntaxError: Illegal chars found in a the node "c d".');
    expect(e.code).toBe('BAD_SEGMENT');
    expect(e.line).toBe(2);
    expect(e.column).toBe(3);
    expect(e.cause.message).toContain('line 2');
    // The reader is closed after a strict error (0.3.2 went on from a half-updated state).
    expect(() => reader.read('e=1\n')).toThrow(/stopped at an error/);
  });

  test('Buffers are read as one UTF-8 stream (0.3.2 ignored them)', () => {
    const root = {};
    const reader = VarStream.Reader(root, 'prop');
    const bytes = Buffer.from('a=héllo €\n');
    for (const chunk of randomChunks(bytes, 7, 2)) reader.read(chunk);
    expect(root).toEqual({ prop: { a: 'héllo €' } });
    expect(() => reader.read(42 as never)).toThrow(TypeError);
  });
});

describe('VarStream.Writer', () => {
  test.each(FILES.map((file) => [file.slice(SHARED.length + 1), file] as const))(
    'the tree of %s, every option set, line by line',
    (_, file) => {
      const tree = OracleVarStream.parse(textOf(file));
      for (const options of WRITER_FLAGS) expectSameWriter([tree], options);
    },
  );

  test('generated trees, every option set, line by line', () => {
    fc.assert(
      fc.property(jsTree, fc.constantFrom(...WRITER_FLAGS), (tree, options) => {
        expectSameWriter([tree], options);
      }),
      { numRuns: RUNS },
    );
  });

  test('one writer, several writes: what was written is remembered, as in 0.3.2', () => {
    const shared = { v: 1 };
    const first = { a: shared, b: [1, 2] };
    const second = { c: shared, d: { e: [3, { f: 4 }] } };
    for (const options of WRITER_FLAGS) {
      expectSameWriter([first, second, first, shared], options);
    }
  });

  test('write(scope, context) prefixes the paths', () => {
    const run = (Writer: typeof OracleVarStream.Writer | typeof VarStream.Writer, o: number) => {
      const lines: string[] = [];
      const writer = new Writer((text: string) => lines.push(text), o) as {
        write(scope: unknown, context?: string): void;
      };
      const tree: Record<string, unknown> = { a: 1, b: [{ c: 2 }, 3] };
      tree.self = tree;
      writer.write(tree, 'x.y');
      writer.write(5, 'z');
      return lines;
    };
    for (const options of WRITER_FLAGS) {
      expect(run(VarStream.Writer, options)).toEqual(run(OracleVarStream.Writer, options));
    }
  });

  test('`true` as options is no flag (true & 6 is 0), as the 2013 WebSockIPC server passed it', () => {
    expectSameWriter([{ a: { b: 1, c: 2 } }], true as never);
  });
});

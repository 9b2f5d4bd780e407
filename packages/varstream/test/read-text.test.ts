import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Entry,
  type Limits,
  PathContext,
  parse,
  Reader,
  readText,
  stringify,
  type VarStreamError,
} from '../src/index.js';

interface Outcome {
  entries: Entry[];
  errors: string[];
  thrown: string | undefined;
  previous: unknown;
}

const describeError = (e: VarStreamError): string =>
  `${e.code} ${e.line}:${e.column} ${JSON.stringify(e.text)} ${e.message}`;

/** What the streaming Reader gives for the whole text in one `end()` call. */
function viaReader(text: string, strict: boolean, comments: boolean, limits?: Partial<Limits>) {
  const errors: string[] = [];
  const context = new PathContext();
  context.previous = ['seed', 1];
  const reader = new Reader({
    strict,
    comments,
    context,
    ...(limits === undefined ? {} : { limits }),
    ...(strict ? {} : { onError: (e: VarStreamError) => errors.push(describeError(e)) }),
  });
  const entries: Entry[] = [];
  let thrown: string | undefined;
  reader.end(text);
  try {
    for (let entry = reader.read(); entry !== null; entry = reader.read()) entries.push(entry);
  } catch (err) {
    thrown = describeError(err as VarStreamError);
  }
  // Strict: what was read before the error is thrown away by readText.
  return {
    entries: thrown === undefined ? entries : [],
    errors,
    thrown,
    previous: context.previous,
  };
}

function viaReadText(text: string, strict: boolean, comments: boolean, limits?: Partial<Limits>) {
  const errors: string[] = [];
  const context = new PathContext();
  context.previous = ['seed', 1];
  let entries: Entry[] = [];
  let thrown: string | undefined;
  try {
    entries = readText(text, {
      strict,
      comments,
      context,
      ...(limits === undefined ? {} : { limits }),
      ...(strict ? {} : { onError: (e: VarStreamError) => errors.push(describeError(e)) }),
    });
  } catch (err) {
    thrown = describeError(err as VarStreamError);
  }
  return { entries, errors, thrown, previous: context.previous };
}

function expectSame(text: string, limits?: Partial<Limits>): void {
  for (const strict of [false, true]) {
    for (const comments of [false, true]) {
      const expected: Outcome = viaReader(text, strict, comments, limits);
      const actual: Outcome = viaReadText(text, strict, comments, limits);
      if (strict && expected.thrown !== undefined) {
        // The context then holds whatever the reader had reached: not compared.
        expect({ ...actual, previous: 0 }).toEqual({ ...expected, previous: 0 });
      } else expect(actual).toEqual(expected);
    }
  }
}

/** Pieces of VarStream text, good and bad, that the generator strings together. */
const TOKENS = [
  'a',
  'b_2',
  '0',
  '12',
  '007',
  '.',
  '=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '~',
  '!',
  '^',
  '^1',
  '^0',
  '^12',
  '"',
  '"k.y"',
  '"a\\"b"',
  '\\',
  '\\\\',
  '\n',
  '\r',
  '\r\n',
  ' ',
  '\t',
  '#',
  '#vs change rev=1',
  ',',
  '3,1',
  '0,0,',
  'x y',
  'null',
  'true',
  '{}',
  '[]',
  '5',
  '-3.5',
  '\\u00e9',
  '\\n',
  '\\q',
  'é',
  '\u{1F600}',
  '\u0001',
  '\uFEFF',
] as const;

const junk = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(''));

const segment = fc.oneof(
  fc.constantFrom('a', 'list', 'x_1', '+', '*', '!', '0', '3', '"sp ace"', '"q\\"uote"', '""'),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/),
  fc.nat(20).map(String),
);
const path = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('.')),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('^', '^0', '^1', '^2', '^3'), fc.array(segment, { maxLength: 3 }))
      .map(([b, s]) => [b, ...s].join('.')),
  },
);
const bareValue = fc.oneof(
  fc.constantFrom(
    '',
    '1',
    '-0',
    'null',
    'true',
    'false',
    'NaN',
    '{}',
    '[]',
    'text here',
    'a\\\\b',
    'line\\\nnext',
    'one\\\ntwo\\\r\nthree',
    '"x\ny\r\nz"',
    'odd\\',
    'bad\\x',
    ' lead',
    '"q"',
    '"a\nb"',
    '"x"y',
    '"\\u12"',
    '"unterminated',
  ),
  fc.string({ maxLength: 8 }).filter((s) => !/[\n\r]/.test(s)),
);
const statement = fc.oneof(
  fc
    .tuple(path, fc.constantFrom('=', '+=', '-=', '*=', '/=', '%='), bareValue)
    .map(([p, o, v]) => `${p}${o}${v}`),
  fc.tuple(path, path).map(([p, r]) => `${p}&=${r}`),
  fc
    .tuple(path, fc.nat(9), fc.nat(9), fc.option(bareValue))
    .map(([p, a, d, t]) => `${p}~=${a},${d}${t === null ? '' : `,${t}`}`),
  fc.constantFrom(
    '# note',
    '  # indented',
    '',
    '   ',
    '#vs welcome conn=c1',
    'no operator',
    '=1',
    'a..b=1',
    'a+ =1',
  ),
);
const statements = fc
  .tuple(fc.array(statement, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
  .map(([lines, br, last]) => lines.join(br) + (last ? br : ''));

describe('readText: the same entries and errors as Reader.end(text)', () => {
  it('on statements, comments and mistakes', () => {
    fc.assert(
      fc.property(statements, (text) => expectSame(text)),
      { numRuns: 1500 },
    );
  });

  it('on arbitrary junk made of VarStream characters', () => {
    fc.assert(
      fc.property(junk, (text) => expectSame(text)),
      { numRuns: 1500 },
    );
  });

  it('under small limits (statement length, path depth, array index)', () => {
    const limits = { maxStatementLength: 12, maxPathDepth: 3, maxArrayIndex: 50 };
    fc.assert(
      fc.property(fc.oneof(statements, junk), (text) => expectSame(text, limits)),
      { numRuns: 1500 },
    );
  });

  it('on what the writers write (stringify of arbitrary values)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const text = stringify(value);
        expectSame(text);
        expect(parse(text)).toEqual(parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('equals the Reader fed the same text split anywhere (frames arrive whole, files in chunks)', () => {
    fc.assert(
      fc.property(
        fc.oneof(statements, junk),
        fc.array(fc.nat(), { maxLength: 6 }),
        (text, cuts) => {
          const errors: string[] = [];
          const reader = new Reader({
            comments: true,
            onError: (e) => errors.push(describeError(e)),
          });
          const entries: Entry[] = [];
          let from = 0;
          for (const cut of [...cuts.map((c) => c % (text.length + 1))].sort((a, b) => a - b)) {
            reader.write(text.slice(from, cut));
            from = cut;
            for (let e = reader.read(); e !== null; e = reader.read()) entries.push(e);
          }
          reader.end(text.slice(from));
          for (let e = reader.read(); e !== null; e = reader.read()) entries.push(e);
          const mine: string[] = [];
          const read = readText(text, {
            comments: true,
            onError: (e) => mine.push(describeError(e)),
          });
          expect({ entries: read, errors: mine }).toEqual({ entries, errors });
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('regressions: quoted values, continuations, over-long statements', () => {
    for (const text of [
      'a="x"\nb="multi\nline"\nc=1',
      'a="open\nb=2',
      'a="x" tail\nb=1',
      'a=one\\\ntwo\\\r\nthree\\',
      'a=1\\',
      '\uFEFFa=1',
      'a=b\\c\nd=1',
      'a~=1,0,"x\ny"\n',
      '^3.x=1\n',
      'l.+.a=1\n^.b=2\n^0.c=3\nr&=l.*\n^.z=1',
    ]) {
      expectSame(text);
      expectSame(text, { maxStatementLength: 6 });
    }
  });
});

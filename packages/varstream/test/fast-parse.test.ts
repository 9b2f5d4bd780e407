import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaults, type Limits } from '../src/defaults.js';
import { FastParser } from '../src/fast-parse.js';
import { PathContext, parse, Reader, stringify, Tree, type VarStreamError } from '../src/index.js';
import { atStatementStart } from '../src/parse.js';

/**
 * `parse()` reads the common statements with `FastParser` and hands every
 * other one to `Reader` + `Tree`. These properties hold it to the general
 * path alone: same tree (lossless text: key order, holes, shared values),
 * same errors (code, message, line, column, text, path), same strict-mode
 * throw, on generated texts mixing both kinds of statements. Fed in chunks,
 * the general path must give the same tree and error positions too (the
 * quoted `text` of an over-long statement depends on the chunks: it is what
 * the reader had when it gave up waiting).
 */

interface Outcome {
  tree: string;
  errors: string[];
  thrown?: string;
}

function describeError(e: unknown): string {
  return JSON.stringify((e as VarStreamError).toJSON());
}

function outcome(root: unknown, errors: VarStreamError[], thrown?: unknown): Outcome {
  if (thrown !== undefined)
    return { tree: '', errors: errors.map(describeError), thrown: describeError(thrown) };
  return { tree: stringify(root, { compress: false }), errors: errors.map(describeError) };
}

/** The general path alone, fed in chunks, as `parse` was before the fast path. */
function general(chunks: string[], limits: Partial<Limits>, strict: boolean): Outcome {
  const errors: VarStreamError[] = [];
  const context = new PathContext();
  const reader = new Reader({
    strict,
    limits,
    context,
    ...(strict ? {} : { onError: (e: VarStreamError) => errors.push(e) }),
  });
  const tree = new Tree(undefined, { limits: reader.limits });
  const drain = () => {
    for (let entry = reader.read(); entry !== null; entry = reader.read()) {
      if (entry.op === '#') continue;
      try {
        tree.applyQuiet(entry, context);
      } catch (caught) {
        // As parse() reports it: a semantic error is at the statement's column 1.
        const err = atStatementStart(caught);
        if (strict) throw err;
        errors.push(err as VarStreamError);
      }
    }
  };
  try {
    for (const chunk of chunks) {
      reader.write(chunk);
      drain();
    }
    reader.end();
    drain();
  } catch (err) {
    return outcome(undefined, errors, err);
  }
  return outcome(tree.root === undefined ? {} : tree.root, errors);
}

function viaParse(text: string, limits: Partial<Limits>, strict: boolean): Outcome {
  const errors: VarStreamError[] = [];
  try {
    const root = parse(
      text,
      strict ? { strict, limits } : { limits, onError: (e) => errors.push(e) },
    );
    return outcome(root, errors);
  } catch (err) {
    return outcome(undefined, errors, err);
  }
}

// --- a grammar of statements, simple and not -------------------------------------------------

const bareKey = fc.constantFrom('a', 'b', 'c', 'x_1', 'B', '__proto__', 'toString', 'length');
const index = fc.constantFrom(
  '0',
  '1',
  '2',
  '3',
  '007',
  '10',
  '123456789012345',
  '1234567890123456',
);
const dynamic = fc.constantFrom('+', '*', '!');
const quotedKey = fc.constantFrom('"a"', '"0"', '"a b"', '""', '"x\\"y"', '"\\u0041"', '"a', '"é"');
const badSegment = fc.constantFrom('', ' ', '^', 'a b', '-', 'a-b', '+x', '"a"b');
const segment = fc.oneof(
  { weight: 8, arbitrary: bareKey },
  { weight: 4, arbitrary: index },
  { weight: 5, arbitrary: dynamic },
  { weight: 2, arbitrary: quotedKey },
  { weight: 1, arbitrary: badSegment },
);
const back = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  { weight: 6, arbitrary: fc.constantFrom('^.', '^0.', '^1.', '^2.', '^3.') },
  { weight: 1, arbitrary: fc.constantFrom('^', '^1', '^6.', '^1234567890.', '^x.', '^^.') },
);
const path = fc
  .tuple(back, fc.array(segment, { minLength: 0, maxLength: 5 }))
  .map(([b, segments]) => b + segments.join('.'));
const operator = fc.oneof(
  { weight: 12, arbitrary: fc.constant('=') },
  { weight: 3, arbitrary: fc.constantFrom('+=', '-=', '*=', '/=', '%=', '&=') },
  { weight: 1, arbitrary: fc.constantFrom('', '==', '+', '=&') },
);
const bareValue = fc.constantFrom(
  '1',
  '42',
  '-17',
  '123456789012345',
  '-123456789012345',
  '1234567890123456',
  '9007199254740993',
  '-',
  '1-2',
  '12a',
  '-2.5',
  '0',
  '-0',
  '007',
  '1e5',
  'NaN',
  'Infinity',
  '-Infinity',
  'null',
  'true',
  'false',
  '{}',
  '[]',
  'x',
  'hello world',
  '',
  ' 1',
  'a"b',
  'é',
  'a long value that goes over small statement limits',
);
const escapedValue = fc.constantFrom(
  '\\\\',
  'a\\\nb',
  'a\\\r\nb',
  'a\\\rb',
  'a\\\n',
  'a\\\n\\\nb',
  'a\\\\\\\nb',
  'a\\\\\nb',
  'x\\q',
  'a\\',
  '\\\nx',
);
const quotedValue = fc.constantFrom(
  '"x"',
  '""',
  '"a b"',
  '"1"',
  '"a\\nb"',
  '"\\u00e9"',
  '"a"b"',
  '"unterminated',
  '"l1\nl2"',
  '"l1\r\nl2"',
  '"tab\there"',
  '"\\x"',
  '"',
  '"a\u0001b"',
);
const value = fc.oneof(
  { weight: 10, arbitrary: bareValue },
  { weight: 3, arbitrary: quotedValue },
  { weight: 3, arbitrary: escapedValue },
  { weight: 2, arbitrary: path },
);
const statement = fc.tuple(path, operator, value).map(([p, o, v]) => p + o + v);
const otherLine = fc.constantFrom('# comment', '', '  # indented', '   ', 'a', '=1', '\t', '#');
const line = fc.oneof({ weight: 12, arbitrary: statement }, { weight: 1, arbitrary: otherLine });
const lineEnd = fc.oneof(
  { weight: 12, arbitrary: fc.constant('\n') },
  { weight: 1, arbitrary: fc.constantFrom('\r\n', '\r') },
);
const text = fc
  .tuple(fc.array(fc.tuple(line, lineEnd), { maxLength: 25 }), fc.boolean())
  .map(([lines, last]) => {
    const out = lines.map(([l, e]) => l + e).join('');
    return last || lines.length === 0 ? out : out.slice(0, -lines[lines.length - 1]![1].length);
  });
const limits: fc.Arbitrary<Partial<Limits>> = fc.record(
  {
    maxStatementLength: fc.constantFrom(8, 20, 40, defaults.maxStatementLength),
    maxPathDepth: fc.constantFrom(1, 2, 3, 4, defaults.maxPathDepth),
    maxArrayIndex: fc.constantFrom(0, 2, 5, defaults.maxArrayIndex),
    maxArrayGap: fc.constantFrom(0, 1, 3, defaults.maxArrayGap),
    maxNodes: fc.constantFrom(1, 4, 12, 30, defaults.maxNodes),
  },
  { requiredKeys: [] },
);
/** The outcome without the errors' messages and texts. */
function positions(o: Outcome): Outcome {
  const where = (e: string) => {
    const { code, line, column, path } = JSON.parse(e) as Record<string, unknown>;
    return JSON.stringify({ code, line, column, path });
  };
  return {
    tree: o.tree,
    errors: o.errors.map(where),
    ...(o.thrown === undefined ? {} : { thrown: where(o.thrown) }),
  };
}

/** Split points for the general path's chunks. */
const cuts = fc.array(fc.nat(400), { maxLength: 4 });

function chunksOf(t: string, at: number[]): string[] {
  const points = [...new Set(at.map((p) => Math.min(p, t.length)))].sort((a, b) => a - b);
  const out: string[] = [];
  let from = 0;
  for (const p of points) {
    out.push(t.slice(from, p));
    from = p;
  }
  out.push(t.slice(from));
  return out;
}

describe('parse(): the fast path gives exactly what the general path gives', () => {
  it('tolerant mode: same tree, same errors', () => {
    fc.assert(
      fc.property(text, limits, cuts, (t, l, c) => {
        const fast = viaParse(t, l, false);
        expect(fast).toEqual(general([t], l, false));
        expect(positions(fast)).toEqual(positions(general(chunksOf(t, c), l, false)));
      }),
      { numRuns: 4000 },
    );
  });

  it('strict mode: same tree or same first error', () => {
    fc.assert(
      fc.property(text, limits, cuts, (t, l, c) => {
        const fast = viaParse(t, l, true);
        expect(fast).toEqual(general([t], l, true));
        expect(positions(fast)).toEqual(positions(general(chunksOf(t, c), l, true)));
      }),
      { numRuns: 2000 },
    );
  });

  it('the same texts with CRLF line breaks', () => {
    fc.assert(
      fc.property(text, limits, (t, l) => {
        const crlf = t.replace(/\r?\n/g, '\r\n');
        expect(viaParse(crlf, l, false)).toEqual(general([crlf], l, false));
      }),
      { numRuns: 2000 },
    );
  });

  it('texts written by stringify, whatever the writer options', () => {
    const options = fc.record({
      compress: fc.boolean(),
      arrays: fc.constantFrom('append' as const, 'index' as const),
    });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), options, cuts, (v, o, c) => {
        const t = stringify(v, o);
        expect(viaParse(t, {}, true)).toEqual(general(chunksOf(t, c), {}, true));
      }),
      { numRuns: 1500 },
    );
  });

  it('known cases', () => {
    const cases = [
      'a.b=1\n^.c=2\n^1.+.d=3\n^.e=4\n',
      'a.!=1\n^.+=2\n^.+=3\nb.!.x=1\n^.y=2\n^2.+.x=3\n',
      'a=1\na.b=2\na.0=3\n^.+=4\n',
      'a.+=1\n# c\n^.x=2\nb=3\n',
      'a.b.c=1\n^5.x=1\n^3.z=2\n',
      'x="1"\ny="a b"\nz=""\nw="a\\"b"\n',
      'a=x\\\ny\nb=1\n',
      'a=1\r\nb=2\n',
      '__proto__=1\ntoString.x=2\n__proto__.y=3\n',
      'a.*=1\na.!=1\na.*=2\n',
      'a.5=1\na.0=2\n',
      'a=1\nb&=a\n^.c=2\n',
      'a=1\n\n\nb=2',
      'a.b.c.d.e=1\n^.f=2\n',
      // a statement left to the general path, then one read after it
      '^.+=1\ra=a\\\n',
      'a=x\\\n\\\ny\rb=1\\\nc=2\n',
    ];
    for (const t of cases) {
      for (const l of [{}, { maxPathDepth: 3, maxNodes: 6, maxArrayGap: 2 }]) {
        expect(viaParse(t, l, false)).toEqual(general([t], l, false));
        expect(viaParse(t, l, true)).toEqual(general([t], l, true));
      }
    }
  });
});

describe('FastParser reads the common statements itself', () => {
  function runsToTheEnd(t: string): boolean {
    const fast = new FastParser(t, { ...defaults });
    fast.run();
    return fast.done;
  }

  it('reads what stringify writes for plain keys and values', () => {
    const key = fc.oneof(
      fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/),
      fc.constantFrom('0', 'a b', ''),
    );
    const leaf = fc.oneof(
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
      fc.constant(null),
      fc.constant(''),
      fc.stringMatching(/^[a-z0-9][a-z 0-9.\n]{0,8}$/),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc.array(tie('node'), { maxLength: 4 }),
        fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
      ),
      // The root: `^0=...` (a scalar or an empty array) is left to the general path.
      root: fc.oneof(
        fc.dictionary(key, tie('node'), { maxKeys: 4, noNullPrototype: true }),
        fc.array(tie('node'), { minLength: 1, maxLength: 4 }),
      ),
    }));
    fc.assert(
      fc.property(tree.root, (v) => {
        expect(runsToTheEnd(stringify(v))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('reads CRLF line breaks and blank lines', () => {
    expect(runsToTheEnd('a.b=1\r\n^.c="x"\r\n\r\n\nd=-2\r\n')).toBe(true);
    expect(runsToTheEnd('a=1\r')).toBe(true);
  });

  it('leaves the other statements to the general path', () => {
    const others = ['a+=1\n', 'a&=b\n', '# c\n', 'a="x\\ny"\n', 'a=1\rb=2\n', ' a=1\n', 'a=\n'];
    others.push('a=x\\\\\n', '"a\\"b"=1\n', 'a=x\\\r\ny\n', 'a=x\\');
    for (const t of others) {
      expect(runsToTheEnd(t)).toBe(false);
    }
  });
});

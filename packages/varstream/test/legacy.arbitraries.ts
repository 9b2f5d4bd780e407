/**
 * Grammar-aware generators of VarStream 0.3.2 text for the differential
 * tests: paths with `^`/`^N`, array segments, all operators, typed values,
 * backslashes, multi-line values, CR/CRLF/LF, comments, junk and mutations.
 * Names are chosen so that no generated text ever names an inherited
 * property (0.3.2 must not see those in the test realm).
 */
import fc from 'fast-check';

export const NAMES = ['a', 'b', 'c', 'x', 'y', 'A_z9', '_', 'k1', 'B2', 'Z'] as const;

const name = fc.constantFrom(...NAMES);
const digits = fc.oneof(
  fc.constantFrom('0', '1', '2', '3', '10', '007', '00', '01'),
  fc.nat({ max: 40 }).map(String),
);
const arrayOp = fc.constantFrom('+', '*', '!');
const junkSegment = fc.constantFrom(
  '',
  ' ',
  'a b',
  'é',
  '-1',
  '^',
  'a^',
  'b\\c',
  'x-y',
  '\t',
  '😀',
  '^1',
  '#',
  'a#b',
);
const segment = fc.oneof(
  { weight: 8, arbitrary: name },
  { weight: 3, arbitrary: digits },
  { weight: 4, arbitrary: arrayOp },
  { weight: 1, arbitrary: junkSegment },
);
const backref = fc.constantFrom('^', '^', '^0', '^1', '^2', '^3', '^4', '^9', '^01', '^x', '^1a');

export const path = fc
  .tuple(fc.option(backref, { freq: 3 }), fc.array(segment, { maxLength: 5 }))
  .map(([back, segments]) => (back === null ? segments : [back, ...segments]).join('.'));

const operator = fc.oneof(
  { weight: 10, arbitrary: fc.constant('=') },
  { weight: 6, arbitrary: fc.constantFrom('+=', '-=', '*=', '/=', '%=', '&=') },
  { weight: 1, arbitrary: fc.constantFrom('==', '+ =', '^=', '', '+', '&', '&&=', '=#', '-\r') },
);

const scalar = fc.constantFrom(
  'null',
  'true',
  'false',
  'NaN',
  'Infinity',
  '-Infinity',
  '+Infinity',
  '42',
  '-42',
  '3.14',
  '-3.14',
  '007',
  '-007.50',
  '1e5',
  '.5',
  '1.',
  '+5',
  '0x1F',
  '-0',
  '-',
  '',
  'x',
  'hello world',
  'a#b',
  ' 1',
  '1 ',
  'undefined',
  'True',
  '"q"',
  'é€😀',
  '\t',
  '2.5e1',
  '0',
  '5',
);
const escapes = fc.constantFrom('\\\\', '\\', '\\x', '\\n', '\\=', '\\#', 'x\\\\y', '\\\\\\');
const freeText = fc.string({
  unit: fc.constantFrom('a', '1', '.', '\\', '#', '=', ' ', '-', '^', 'é', '+', '&', '!', '*'),
  maxLength: 8,
});
const value = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 3, arbitrary: path },
  { weight: 2, arbitrary: escapes },
  { weight: 2, arbitrary: freeText },
  {
    weight: 1,
    arbitrary: fc.array(fc.oneof(scalar, escapes), { maxLength: 3 }).map((parts) => parts.join('')),
  },
);
export const lineBreak = fc.constantFrom('\n', '\n', '\n', '\r\n', '\r');

const statement = fc
  .tuple(path, operator, value, fc.array(fc.tuple(lineBreak, value), { maxLength: 2 }))
  .map(
    ([p, op, v, more]) =>
      `${p}${op}${v}${more.map(([lineEnd, next]) => `\\${lineEnd}${next}`).join('')}`,
  );

const line = fc.oneof(
  { weight: 10, arbitrary: statement },
  {
    weight: 1,
    arbitrary: fc.constantFrom('', '# comment', '  # indented', '#c \\', 'junk', '\\', '^', '.'),
  },
  { weight: 1, arbitrary: freeText },
);

/**
 * Six digits in a row could address an array index past `maxArrayGap`
 * (100 000): the legacy reader refuses those (a limit), 0.3.2 does not, so
 * the differential tests leave them out.
 */
const withinLimits = (text: string): boolean => !/[0-9]{6}/.test(text);

/** A whole document: lines and line breaks, the last line possibly unterminated. */
export const document = fc
  .tuple(fc.array(fc.tuple(line, lineBreak), { maxLength: 12 }), fc.option(line, { freq: 4 }))
  .map(([lines, last]) => `${lines.map(([text, lineEnd]) => text + lineEnd).join('')}${last ?? ''}`)
  .filter(withinLimits);

const cleanSegment = fc.oneof(
  { weight: 8, arbitrary: name },
  { weight: 2, arbitrary: fc.nat({ max: 4 }).map(String) },
  { weight: 4, arbitrary: arrayOp },
);
const cleanPath = fc
  .tuple(
    fc.option(fc.constantFrom('^', '^', '^0', '^1', '^2'), { freq: 3 }),
    fc.array(cleanSegment, { minLength: 1, maxLength: 4 }),
  )
  .map(([back, segments]) => (back === null ? segments : [back, ...segments]).join('.'));
const cleanStatement = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(cleanPath, fc.constantFrom('=', '=', '=', '+=', '-=', '*=', '/=', '%='), scalar)
      .map(([p, op, v]) => `${p}${op}${v}`),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(cleanPath, fc.option(cleanPath, { freq: 5 }))
      .map(([p, ref]) => `${p}&=${ref ?? '^0'}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(cleanPath, fc.constantFrom('=', '+='), scalar, lineBreak, scalar)
      .map(([p, op, v, lineEnd, next]) => `${p}${op}${v}\\${lineEnd}${next}`),
  },
);

/** Mostly valid documents, so that strict mode gets past the first lines. */
export const cleanDocument = fc
  .array(fc.tuple(cleanStatement, lineBreak), { minLength: 1, maxLength: 16 })
  .map((lines) => lines.map(([text, lineEnd]) => text + lineEnd).join(''));

const MUTATION_CHARS = [
  '.',
  '=',
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '!',
  '^',
  '#',
  '\\',
  '\n',
  '\r',
  ' ',
  'a',
  'b',
  '0',
  '1',
  '7',
  'é',
  '\ud83d',
  '\ude00',
];

/** A document with 1 to 4 random single-character insertions, deletions or replacements. */
export const mutatedDocument = fc
  .tuple(
    document,
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.constantFrom(...MUTATION_CHARS)), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([text, edits]) => {
    let out = text;
    for (const [position, kind, char] of edits) {
      const at = position % (out.length + 1);
      if (kind === 0) out = out.slice(0, at) + char + out.slice(at);
      else if (kind === 1) out = out.slice(0, at) + out.slice(at + 1);
      else out = out.slice(0, at) + char + out.slice(at + 1);
    }
    return out;
  })
  .filter(withinLimits);

/** Cut points to split a text or byte array into chunks. */
export const cuts = fc.array(fc.nat(), { maxLength: 5 });

export function splitAt<T extends string | Uint8Array>(whole: T, points: readonly number[]): T[] {
  const offsets = [...new Set(points.map((p) => p % (whole.length + 1)))].sort((a, b) => a - b);
  const chunks: T[] = [];
  let from = 0;
  for (const offset of offsets) {
    chunks.push(whole.slice(from, offset) as T);
    from = offset;
  }
  chunks.push(whole.slice(from) as T);
  return chunks;
}

const KEYS = ['a', 'b', 'x', 'y', '0', '12', 'A_z', 'a b', 'é', 'k-1', '_', '007', 'Z9'] as const;

const leaf = fc.oneof(
  fc.constantFrom(
    undefined,
    null,
    Number.NaN,
    -0,
    0,
    1,
    -1.5,
    1e21,
    1e-7,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    true,
    false,
    '',
    'x',
    'l1\nl2',
    'a\r\nb',
    'c\rd',
    'multi\n\nline\\',
    '\ud800',
    'é€😀',
    '=',
    '^.x',
    '#',
    ' ',
    'a\\',
    '\n',
  ),
  fc.string({ unit: fc.constantFrom('a', '\n', '\r', '\\', '=', '.', 'é', '\ud800', ' ') }),
  fc.double(),
  fc.integer(),
);

function containersOf(root: object): object[] {
  const seen = new Set<object>([root]);
  const stack: object[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const child of Object.values(node)) {
      if (typeof child === 'object' && child !== null && !seen.has(child)) {
        seen.add(child);
        stack.push(child);
      }
    }
  }
  return [...seen];
}

const { object: plainObject, array: plainArray } = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', maxDepth: 5 }, leaf, tie('object'), tie('array')),
  object: fc
    .array(fc.tuple(fc.constantFrom(...KEYS), tie('node')), { maxLength: 4 })
    .map((entries) => {
      const object: Record<string, unknown> = {};
      for (const [key, value] of entries) object[key] = value;
      return object;
    }),
  array: fc.array(tie('node'), { maxLength: 4 }),
}));

/**
 * JS trees (objects and holes-free arrays; leaves of every kind), then up to
 * four extra links between their containers: shared and circular references,
 * including references to the root.
 */
export const jsTree = fc
  .tuple(
    fc.oneof(plainObject, plainArray),
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...KEYS)), { maxLength: 4 }),
  )
  .map(([generated, links]) => {
    const root = structuredClone(generated) as object;
    const containers = containersOf(root);
    for (const [a, b, key] of links) {
      const from = containers[a % containers.length]!;
      const to = containers[b % containers.length]!;
      if (Array.isArray(from)) from.push(to);
      else (from as Record<string, unknown>)[key] = to;
    }
    return root;
  });

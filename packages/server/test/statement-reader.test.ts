import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codecLimits } from '../src/options/codec-limits.js';
import { serverDefaults } from '../src/options/defaults.js';
import { readStatements, StatementReader } from '../src/reading/statement-reader.js';

const limits = codecLimits(serverDefaults);

/** What a reader fed `chunks` reports, in order: statements, `#` lines, errors (as codes). */
function readAll(chunks: readonly string[]): string[] {
  const seen: string[] = [];
  const reader = new StatementReader(limits, {
    statement: (s) => seen.push(`${s.line}:${s.path.join('.')}${s.op}${String(s.value)}`),
    comment: (c) => seen.push(`${c.line}:#${c.text}`),
    error: (err) => {
      seen.push(`error:${(err as { code?: string }).code}`);
      return true;
    },
  });
  for (const chunk of chunks.slice(0, -1)) reader.write(chunk);
  reader.end(chunks[chunks.length - 1]);
  return seen;
}

const LINES = [
  'a.b=1',
  '^.c="x\\ny"',
  '#vs ping t=1',
  'list.+=v',
  'bad line',
  'k=',
  '# note',
  's~=0:1:x',
];

describe('StatementReader', () => {
  it('reads the same statements, comments and errors however the text is split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...LINES), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (lines, cuts) => {
          const text = `${lines.join('\n')}\n`;
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((x, y) => x - y);
          const chunks: string[] = [];
          let from = 0;
          for (const cut of at) {
            chunks.push(text.slice(from, cut));
            from = cut;
          }
          chunks.push(text.slice(from));
          expect(readAll(chunks)).toEqual(readAll([text]));
        },
      ),
    );
  });

  it('skips a bad statement and goes on, stops when told, throws without an error handler', () => {
    expect(readAll(['a=1\nbad line\nb=2\n'])).toEqual(['1:a=1', 'error:BAD_SEGMENT', '3:b=2']);
    const seen: number[] = [];
    new StatementReader(limits, {
      statement: (s) => seen.push(s.line),
      error: () => false,
    }).end('a=1\nbad line\nb=2\n');
    expect(seen).toEqual([1]);
    expect(() => readStatements('a=1\nbad line\n', limits)).toThrow(/line 2/);
  });
});

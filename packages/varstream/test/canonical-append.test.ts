import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalize, formatStatement, parse, Tree } from '../src/index.js';
import { oracle } from './legacy.helpers.js';
import { statement } from './support/statement.js';

/** The canonical line of `line` applied to `{ s: previous }`. */
function canonicalLine(previous: string, line: string): { text: string; result: unknown } {
  const tree = new Tree({ s: previous });
  const change = tree.apply(statement(line));
  return {
    text: formatStatement(canonicalize(change)).slice(0, -1),
    result: (tree.root as { s: unknown }).s,
  };
}

/** Longer than what is rewritten whole (4 096). */
const LONG = 'x'.repeat(5_000);

describe('canonical form of an append to a string', () => {
  // Regression (issue 9, item 5): `s+="1"` on a long string was written as the whole result.
  it('stays as long as the operand on a long string', () => {
    expect(canonicalLine(LONG, 's+="1"').text).toBe('s+=1');
    expect(canonicalLine(LONG, 's+="-2.5"').text).toBe('s+=-2.5');
    expect(canonicalLine(LONG, 's+=""').text).toBe('s&=s');
    expect(canonicalLine(LONG, 's+="\\u0001"').text).toBe('s+="\\u0001"');
    expect(canonicalLine(LONG, 's+="\\"q"').text).toBe('s+="\\"q"');
    expect(canonicalLine(LONG, 's+="{}"').text).toBe('s+="{}"');
  });

  it('rewrites a short string whole when 0.3.2 could not read the append', () => {
    expect(canonicalLine('ab', 's+="{}"').text).toBe('s=ab{}');
    expect(canonicalLine('ab', 's+="1.50"').text).toBe('s=ab1.50');
    expect(canonicalLine('ab', 's+="-0"').text).toBe('s=ab-0');
  });

  it('gives every reader the same string, varstream 0.3.2 included', () => {
    const operand = fc.oneof(
      fc.constantFrom('', '1', '-3', '1.5', '1.50', '-0', 'Infinity', 'true', 'null', '{}', ' a'),
      fc.string({ maxLength: 8 }),
      fc.integer().map(String),
      fc.double({ noNaN: true }).map(String),
    );
    const previous = fc.oneof(fc.constantFrom('ab', 'x y'), fc.constant(LONG));
    fc.assert(
      fc.property(previous, operand, (before, appended) => {
        const { text, result } = canonicalLine(before, `s+=${JSON.stringify(appended)}`);
        expect(result).toBe(before + appended);
        const ours = parse(`s=${before}\n${text}\n`) as { s: unknown };
        expect(ours.s).toBe(result);
        if (before === LONG) expect(text.length).toBeLessThan(16 + 6 * appended.length);
        // 0.3.2 reads no quotes: only what it can read must give it the same string.
        if (!text.includes('"')) {
          const theirs = oracle.parse(`s=${before}\n${text}\n`) as { s: unknown };
          expect(theirs.s).toBe(result);
        }
      }),
      { numRuns: 300 },
    );
  });
});

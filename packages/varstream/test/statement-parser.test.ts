import { describe, expect, it } from 'vitest';
import { defaults } from '../src/defaults.js';
import { ErrorReporter } from '../src/error-reporter.js';
import { LineBuffer } from '../src/line-buffer.js';
import { APPEND, ScanError } from '../src/path.js';
import { PathContext } from '../src/path-context.js';
import { StatementParser } from '../src/statement-parser.js';

/** A parser on `text` (one statement, its first line ending at the first line break). */
function parserOn(text: string) {
  const lines = new LineBuffer(new ErrorReporter(true, undefined));
  lines.write(text, 0);
  const context = new PathContext();
  const parser = new StatementParser(lines, context, defaults);
  const eol = text.search(/[\r\n]|$/);
  return { parser, context, eol };
}

function scanError(run: () => void): string {
  try {
    run();
  } catch (err) {
    if (err instanceof ScanError) return `${err.code}@${err.pos}`;
    throw err;
  }
  return 'none';
}

describe('StatementParser: one statement’s text to a Statement', () => {
  it('reads the header: operator, where the value starts, whether it is quoted', () => {
    const { parser, eol } = parserOn('a."b c".n+="x');
    parser.readHeader(0, eol);
    expect([parser.op, parser.valueStart, parser.quoted]).toEqual(['+=', 11, true]);
    const splice = parserOn('t~=3,1,xy');
    splice.parser.readHeader(0, splice.eol);
    expect([splice.parser.op, splice.parser.valueStart, splice.parser.quoted]).toEqual([
      '~=',
      7,
      false,
    ]);
  });

  it('builds the statement once the value is complete; its path becomes the previous one', () => {
    const text = 'list.+.name=Ada\\\nLovelace';
    const { parser, context, eol } = parserOn(text);
    parser.readHeader(0, eol);
    const statement = parser.build(0, text.length, [eol, eol + 1], 3);
    expect(statement).toEqual({
      op: '=',
      path: ['list', APPEND, 'name'],
      value: 'Ada\nLovelace',
      ref: undefined,
      line: 3,
    });
    expect(context.previous).toEqual(['list', APPEND, 'name']);
  });

  it('throws a ScanError at the offending character', () => {
    const cases: [string, string][] = [
      ['a', 'NO_OPERATOR@1'],
      ['a+1', 'BAD_OPERATOR@2'],
      ['a~=x', 'BAD_SPLICE@3'],
      ['a&=', 'EMPTY_VALUE@3'],
      ['a&=b c', 'BAD_SEGMENT@4'],
    ];
    for (const [text, expected] of cases) {
      const { parser, eol } = parserOn(text);
      expect(
        scanError(() => parser.readHeader(0, eol)),
        text,
      ).toBe(expected);
    }
    const empty = parserOn('n+=');
    empty.parser.readHeader(0, empty.eol);
    expect(scanError(() => empty.parser.build(0, 3, [], 1))).toBe('EMPTY_VALUE@3');
    const back = parserOn('^3.x=1');
    back.parser.readHeader(0, back.eol);
    expect(scanError(() => back.parser.build(0, 6, [], 1))).toBe('BACKREF_RANGE@0');
  });

  it('keeps a lone backslash of a bare value, resolves a doubled one', () => {
    const { parser, eol } = parserOn('a=x\\y\\\\z');
    parser.readHeader(0, eol);
    expect(parser.build(0, 9, [], 1).value).toBe('x\\y\\z');
  });
});

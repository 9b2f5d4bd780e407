import { VarStreamError, type VarStreamErrorCode } from './errors.js';

const LF = 10;
const CR = 13;
/** The quoted line of an error is cut at this many characters. */
const MAX_QUOTED = 200;

/**
 * The error a reader reports for the statement starting at `start` of its
 * buffered `text` (on line `line`, its first line ending at `eol`), located
 * at `at`: its line and column, and the text of that line (at most 200
 * characters), counting the line breaks before `at` when the error is on a
 * later line of a multi-line statement.
 */
export function statementError(
  text: string,
  code: VarStreamErrorCode,
  reason: string,
  start: number,
  at: number,
  eol: number,
  line: number,
): VarStreamError {
  let lineStart = start;
  let lineNo = line;
  let lineEnd = eol;
  if (at > eol) {
    for (let i = start; i < at; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) {
        lineNo++;
        lineStart = i + 1;
      }
    }
    lineEnd = lineStart;
    while (lineEnd < text.length && lineEnd < lineStart + MAX_QUOTED) {
      const c = text.charCodeAt(lineEnd);
      if (c === LF || c === CR) break;
      lineEnd++;
    }
  }
  return new VarStreamError(code, reason, {
    line: lineNo,
    column: at - lineStart + 1,
    text: text.slice(lineStart, Math.min(lineEnd, lineStart + MAX_QUOTED)),
  });
}

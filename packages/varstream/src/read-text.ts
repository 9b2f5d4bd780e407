import { type Limits, resolveLimits } from './defaults.js';
import type { VarStreamError, VarStreamErrorCode } from './errors.js';
import { findClosingQuote, ScanError } from './path.js';
import { PathContext } from './path-context.js';
import type { Entry } from './statement.js';
import { statementError } from './statement-error.js';
import { StatementParser } from './statement-parser.js';

export interface ReadTextOptions {
  /** Throw the first error instead of reporting it and skipping the statement. Default false. */
  strict?: boolean;
  /** Overrides of `defaults`. */
  limits?: Partial<Limits>;
  /** Tolerant mode: called with each error; the bad statement is skipped. */
  onError?: (error: VarStreamError) => void;
  /** Return `#` comment lines as `Comment` entries. Default false. */
  comments?: boolean;
  /** The `^` context (as `Reader`'s): read before the first statement, updated after each. */
  context?: PathContext;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const BACKSLASH = 92;

/**
 * Reads a whole VarStream text at once: the entries `new Reader(options)`
 * gives for `reader.end(text)`, with the same errors (codes, lines,
 * columns), in a fraction of its code. For a text that is complete in
 * memory (a WebSocket frame, a stored change) in a browser bundle; the
 * `Reader` streams text and bytes split anywhere. Both share the grammar's
 * scanners (path.ts, splice-head.ts, value.ts); test/read-text.test.ts
 * holds them to the same results.
 */
export function readText(input: string, options: ReadTextOptions = {}): Entry[] {
  const limits = resolveLimits(options.limits);
  const max = limits.maxStatementLength;
  const context = options.context ?? new PathContext();
  const strict = options.strict === true;
  const out: Entry[] = [];
  let thrown: VarStreamError | undefined;
  // A byte order mark opens some files: it is not part of the text.
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const length = text.length;
  let pos = 0;
  let line = 1;

  const fail = (
    code: VarStreamErrorCode,
    reason: string,
    start: number,
    at: number,
    eol: number,
    atLine = line,
  ): void => {
    const error = statementError(text, code, reason, start, at, eol, atLine);
    if (strict) thrown ??= error;
    else options.onError?.(error);
  };
  const scanFailed = (err: unknown, start: number, eol: number, atLine = line): void => {
    if (!(err instanceof ScanError)) throw err;
    fail(err.code, err.reason, start, err.pos, eol, atLine);
  };
  const tooLong = `Statement longer than ${max} characters`;
  const findEol = (from: number): number => {
    for (let i = from; i < length; i++) {
      const c = text.charCodeAt(i);
      if (c === LF || c === CR) return i;
    }
    return -1;
  };
  /** Consumes up to `end` plus the line break there; `breaks` line breaks were inside. */
  const finish = (end: number, breaks: number): void => {
    line += breaks;
    if (end >= length) {
      pos = end;
      return;
    }
    line++;
    pos = text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
  };
  /** Skips an over-long statement: its line and the lines its backslashes continue. */
  const skip = (from: number): void => {
    for (let i = from; ; ) {
      const eol = findEol(i);
      const stop = eol === -1 ? length : eol;
      let k = stop - 1;
      while (k >= i && text.charCodeAt(k) === BACKSLASH) k--;
      if (eol === -1 || ((stop - 1 - k) & 1) === 0) {
        finish(stop, 0);
        return;
      }
      line++;
      i = eol + (text.charCodeAt(eol) === CR && text.charCodeAt(eol + 1) === LF ? 2 : 1);
    }
  };
  // The next backslash at or after the last search (-1: none left), so that
  // statements without one do not each search to it: every scan stays linear.
  let backslash = -2;
  const nextBackslash = (from: number): number => {
    if (backslash === -1 || backslash >= from) return backslash;
    backslash = text.indexOf('\\', from);
    return backslash;
  };
  const parser = new StatementParser({ text, nextBackslash }, context, limits);

  while (pos < length && thrown === undefined) {
    const start = pos;
    const c = text.charCodeAt(start);
    if (c === LF || c === CR) {
      finish(start, 0);
      continue;
    }
    const found = findEol(start);
    const eol = found === -1 ? length : found;
    if (eol - start > max) {
      fail('LIMIT_STATEMENT', tooLong, start, start, eol);
      skip(start);
      continue;
    }
    if (c === HASH || c === SPACE || c === TAB) {
      let i = start;
      while (i < eol && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === TAB)) i++;
      if (i === eol || text.charCodeAt(i) === HASH) {
        if (options.comments === true && i < eol) {
          out.push({ op: '#', text: text.slice(i + 1, eol), line });
        }
        finish(eol, 0);
        continue;
      }
    }

    // The header: the path(s) and the operator.
    try {
      parser.readHeader(start, eol);
    } catch (err) {
      scanFailed(err, start, eol);
      finish(eol, 0);
      continue;
    }
    const { op, valueStart } = parser;

    // The value: to the end of the line, of its continued lines, or of its closing quote.
    const stmtLine = line;
    const lineEnds: number[] = [];
    let breaks = 0;
    let end = eol;
    if (parser.quoted) {
      const q = findClosingQuote(text, valueStart, length);
      const after = q + 1;
      const next = after >= length ? LF : text.charCodeAt(after);
      if (q === -1 ? length - start > max : q - start > max) {
        fail('LIMIT_STATEMENT', tooLong, start, start, eol, stmtLine);
        // Resume on the line after the opening quote's line.
        finish(eol, 0);
        continue;
      }
      if (q === -1 || (next !== LF && next !== CR)) {
        // Unterminated, or text after the closing quote: a bare value (as 0.3.2 reads it).
        parser.quoted = false;
      } else {
        for (let i = findEol(valueStart); i !== -1 && i < q; i = findEol(i + 1)) {
          breaks++;
          if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
        }
        end = after;
      }
    }
    if (!parser.quoted && op !== '&=') {
      // A bare value continues while a line ends with an odd number of backslashes.
      let lineStart = valueStart;
      for (;;) {
        let k = end - 1;
        while (k >= lineStart && text.charCodeAt(k) === BACKSLASH) k--;
        if (((end - 1 - k) & 1) === 0 || end >= length) break;
        const next = end + (text.charCodeAt(end) === CR && text.charCodeAt(end + 1) === LF ? 2 : 1);
        const nextEol = findEol(next);
        lineEnds.push(end, next);
        lineStart = next;
        end = nextEol === -1 ? length : nextEol;
        breaks++;
      }
    }
    if (end - start > max) {
      fail('LIMIT_STATEMENT', tooLong, start, start, eol, stmtLine);
      finish(end, breaks);
      continue;
    }

    // The statement, `^` expanded.
    try {
      out.push(parser.build(start, end, lineEnds, stmtLine));
    } catch (err) {
      scanFailed(err, start, eol, stmtLine);
    }
    finish(end, breaks);
  }
  if (thrown !== undefined) throw thrown;
  return out;
}

import type { ErrorReporter } from './error-reporter.js';
import type { LineBuffer } from './line-buffer.js';
import { findClosingQuote } from './path.js';
import type { Recovery } from './recovery.js';
import type { Comment } from './statement.js';
import type { StatementParser } from './statement-parser.js';

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const BACKSLASH = 92;

/** `next()` found a complete statement: its span is in `start`, `end`, `lineEnds`, `line`. */
export const COMPLETE: unique symbol = Symbol('complete');
/** A state method moved on (a blank line, an error, a header read): look again. */
const AGAIN: unique symbol = Symbol('again');
/** The statement's value failed (reported, and recovered from). */
const FAILED = -1;

/**
 * Finds where each statement of a `LineBuffer` starts and ends, as its text
 * arrives: blank lines and comments between statements, then a statement's
 * first line (its header, read by the `StatementParser`, says where its
 * value starts), then the rest of its value, which may span lines and
 * chunks: a quoted string up to its closing quote, a bare value while its
 * lines end with an odd number of backslashes. One method per state, as
 * ws's `Receiver` has: `#betweenStatements` and `#valueEnd` (`Recovery`
 * has the third, skipping an over-long statement). Framing errors
 * (over-long statements, bad quotes) are reported and recovered from here.
 */
export class StatementAssembler {
  /** A statement's header is read and its value is incomplete. */
  pending = false;
  /** The statement being read, or the one last completed: its first line and where it starts. */
  line = 0;
  start = 0;
  firstEol = 0;
  /** The statement last completed ends here (before its line break). */
  end = 0;
  /** A bare value's continued lines: (end, next start) pairs. */
  readonly lineEnds: number[] = [];
  /** Bare values: the last physical line seen. Quoted: where to resume the search for the quote. */
  #lineStart = 0;
  #lineEnd = 0;
  #scanFrom = 0;
  /** Line breaks inside the statement so far. */
  #breaks = 0;

  readonly #lines: LineBuffer;
  readonly #parser: StatementParser;
  readonly #recovery: Recovery;
  readonly #errors: ErrorReporter;
  readonly #maxStatementLength: number;
  readonly #comments: boolean;

  constructor(
    lines: LineBuffer,
    parser: StatementParser,
    recovery: Recovery,
    errors: ErrorReporter,
    maxStatementLength: number,
    comments: boolean,
  ) {
    this.#lines = lines;
    this.#parser = parser;
    this.#recovery = recovery;
    this.#errors = errors;
    this.#maxStatementLength = maxStatementLength;
    this.#comments = comments;
  }

  /** Between statements, nothing being skipped: the text before `pos` may be moved past. */
  get idle(): boolean {
    return !this.pending && !this.#recovery.skipping;
  }

  /** The text from here on is still needed. */
  get keepFrom(): number {
    const pos = this.#lines.pos;
    return this.pending ? Math.min(pos, this.start) : pos;
  }

  /**
   * The next complete statement (`COMPLETE`, consumed from the buffer, its
   * text still there until the next write), a comment (when asked for),
   * or `null` when more input is needed or a strict error waits.
   */
  next(): Comment | typeof COMPLETE | null {
    const lines = this.#lines;
    const recovery = this.#recovery;
    for (;;) {
      if (this.#errors.holding) return null;
      if (!lines.takeLF()) return null;
      if (recovery.skipping && !recovery.skip()) return null;
      const found = this.pending ? this.#valueEnd() : this.#betweenStatements();
      if (found !== AGAIN) return found;
    }
  }

  /** Compaction dropped `by` characters before the statement being read. */
  shift(by: number): void {
    if (!this.pending) return;
    this.start -= by;
    this.firstEol -= by;
    this.#lineStart -= by;
    this.#lineEnd -= by;
    this.#scanFrom -= by;
    const ends = this.lineEnds;
    for (let i = 0; i < ends.length; i++) ends[i]! -= by;
    this.#parser.shift(by);
  }

  // --- between statements --------------------------------------------------------------------

  /** A blank line, a comment, or the first line of a statement (its header is read). */
  #betweenStatements(): Comment | typeof COMPLETE | typeof AGAIN | null {
    const lines = this.#lines;
    const text = lines.text;
    const pos = lines.pos;
    if (pos >= text.length) return null;
    const c = text.charCodeAt(pos);
    if (c === LF || c === CR) {
      lines.consumeBreak(pos);
      return AGAIN;
    }
    const eol = lines.findEol(pos);
    if (eol === -1 && !lines.ended) return this.#partialLine(pos);
    const lineEnd = eol === -1 ? text.length : eol;
    if (lineEnd - pos > this.#maxStatementLength) {
      this.#tooLong(pos, pos, lineEnd, lines.line);
      // Its continuation lines too, as when the limit is hit before the line is complete.
      this.#recovery.skipStatement(pos);
      return AGAIN;
    }
    if (c === HASH || c === SPACE || c === TAB) {
      const blank = this.#blankOrComment(pos, lineEnd);
      if (blank !== undefined) return blank;
    }
    this.#header(pos, lineEnd);
    // A header read changes nothing `next()` checks: its value may be complete already.
    return this.pending ? this.#valueEnd() : AGAIN;
  }

  /** The first line of a statement is incomplete: wait for it, unless it is already too long. */
  #partialLine(pos: number): null {
    const length = this.#lines.text.length;
    if (length - pos > this.#maxStatementLength) {
      this.#tooLong(pos, pos, length, this.#lines.line);
      this.#recovery.skipStatement(pos);
    }
    return null;
  }

  /**
   * A line of blanks, maybe ending in a `#` comment: consumed, and the
   * comment returned when asked for. Undefined when a statement follows the blanks.
   */
  #blankOrComment(pos: number, lineEnd: number): Comment | typeof AGAIN | undefined {
    const lines = this.#lines;
    const text = lines.text;
    let i = pos;
    while (i < lineEnd) {
      const c = text.charCodeAt(i);
      if (c !== SPACE && c !== TAB) break;
      i++;
    }
    if (i < lineEnd && text.charCodeAt(i) !== HASH) return undefined;
    const line = lines.line;
    lines.consumeLine(lineEnd);
    if (this.#comments && i < lineEnd) return { op: '#', text: text.slice(i + 1, lineEnd), line };
    return AGAIN;
  }

  /** Reads the header of the statement whose first line is `[start, eol)`: its value is next. */
  #header(start: number, eol: number): void {
    const lines = this.#lines;
    const parser = this.#parser;
    try {
      parser.readHeader(start, eol);
    } catch (err) {
      this.#errors.scanFailed(err, lines.text, start, eol, lines.line);
      this.#recovery.skipLine(eol);
      return;
    }
    this.pending = true;
    this.line = lines.line;
    this.start = start;
    this.firstEol = eol;
    this.#lineStart = parser.valueStart;
    this.#lineEnd = eol;
    this.#scanFrom = parser.valueStart + 1;
    this.#breaks = 0;
    this.lineEnds.length = 0;
  }

  // --- the value -----------------------------------------------------------------------------

  /** The statement whose header was read is complete once its value has arrived whole. */
  #valueEnd(): typeof COMPLETE | typeof AGAIN | null {
    const parser = this.#parser;
    const end =
      parser.op === '&=' ? this.firstEol : parser.quoted ? this.#quotedEnd() : this.#bareEnd();
    if (end === null) return null;
    if (end === FAILED) return AGAIN;
    this.pending = false;
    if (end - this.start > this.#maxStatementLength) {
      this.#tooLong(this.start, this.start, this.firstEol, this.line);
      this.#lines.finish(end, this.#breaks);
      return AGAIN;
    }
    this.end = end;
    this.#lines.finish(end, this.#breaks);
    return COMPLETE;
  }

  /**
   * A quoted value ends after its closing quote, which a line break (or the
   * end of input) must follow; without one it is a bare value (`#asBare`).
   * The end, `null` to wait, or `FAILED`.
   */
  #quotedEnd(): number | null {
    const lines = this.#lines;
    const text = lines.text;
    const valueStart = this.#parser.valueStart;
    const q = findClosingQuote(text, valueStart, text.length, this.#scanFrom);
    if (q === -1) return this.#noClosingQuote();
    this.#scanFrom = q;
    // As if the quote had arrived after the reader gave up waiting for it.
    if (q - this.start > this.#maxStatementLength) return this.#quotedTooLong();
    const after = q + 1;
    if (after >= text.length && !lines.ended) return null;
    const c = after >= text.length ? LF : text.charCodeAt(after);
    if (c !== LF && c !== CR) return this.#asBare();
    if (q > this.firstEol) this.#countBreaks(valueStart, q);
    return after;
  }

  /** No closing quote in what has arrived: wait, unless too long or at the end of input. */
  #noClosingQuote(): number | null {
    const lines = this.#lines;
    const length = lines.text.length;
    const valueStart = this.#parser.valueStart;
    this.#scanFrom = Math.max(valueStart + 1, length);
    // Longer than allowed without its closing quote: the same error whether
    // the rest of the input has arrived or not.
    if (length - this.start > this.#maxStatementLength) return this.#quotedTooLong();
    if (!lines.ended) return null;
    return this.#asBare();
  }

  /**
   * A value that starts with `"` but is no well-formed quoted value
   * (unterminated, or text after its closing quote: `a="x`, `a="x" y`) is a
   * bare value, as 0.3.2 reads every value: the 2013 clients send such text
   * unquoted (`subject+="` for a quote typed at the end of a field).
   */
  #asBare(): number | null {
    this.#parser.quoted = false;
    return this.#bareEnd();
  }

  /** Line breaks inside a quoted value, up to its closing quote at `q`. */
  #countBreaks(valueStart: number, q: number): void {
    const lines = this.#lines;
    const text = lines.text;
    for (let i = lines.findEol(valueStart); i !== -1 && i < q; i = lines.findEol(i + 1)) {
      this.#breaks++;
      if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
    }
  }

  #quotedTooLong(): typeof FAILED {
    this.pending = false;
    this.#tooLong(this.start, this.start, this.firstEol, this.line);
    this.#recovery.resumeAfterFirstLine(this.start, this.firstEol);
    return FAILED;
  }

  /**
   * A bare value goes on while its line ends with an odd number of
   * backslashes. The end, `null` to wait, or `FAILED`.
   */
  #bareEnd(): number | null {
    const lines = this.#lines;
    const text = lines.text;
    for (;;) {
      const lineEnd = this.#lineEnd;
      if (!endsOdd(text, this.#lineStart, lineEnd)) return lineEnd;
      if (lineEnd >= text.length) {
        // At the end of input, the continuation line is empty.
        return lines.ended ? lineEnd : this.#wait(this.#lineStart);
      }
      let next = lineEnd + 1;
      if (text.charCodeAt(lineEnd) === CR) {
        if (next >= text.length && !lines.ended) return this.#wait(this.#lineStart);
        if (next < text.length && text.charCodeAt(next) === LF) next++;
      }
      const eol = lines.findEol(next);
      if (eol === -1 && !lines.ended) return this.#wait(next, 1);
      this.lineEnds.push(lineEnd, next);
      this.#lineStart = next;
      this.#lineEnd = eol === -1 ? text.length : eol;
      this.#breaks++;
    }
  }

  /**
   * Waits for more of a bare value, unless the statement is already too
   * long: then it is skipped from `resumeAt`, past `passed` line breaks not
   * counted in `#breaks` yet.
   */
  #wait(resumeAt: number, passed = 0): null | typeof FAILED {
    const lines = this.#lines;
    if (lines.text.length - this.start <= this.#maxStatementLength) return null;
    this.pending = false;
    this.#tooLong(this.start, this.start, this.firstEol, this.line);
    lines.line += this.#breaks + passed;
    this.#recovery.skipStatement(resumeAt);
    return FAILED;
  }

  #tooLong(start: number, at: number, eol: number, line: number): void {
    const reason = `Statement longer than ${this.#maxStatementLength} characters`;
    this.#errors.fail(this.#lines.text, 'LIMIT_STATEMENT', reason, start, at, eol, line);
  }
}

/** Whether `[from, to)` of `text` ends with an odd number of backslashes. */
function endsOdd(text: string, from: number, to: number): boolean {
  let k = to - 1;
  while (k >= from && text.charCodeAt(k) === BACKSLASH) k--;
  return ((to - 1 - k) & 1) === 1;
}

import type { LineBuffer } from './line-buffer.js';

const LF = 10;
const CR = 13;
const BACKSLASH = 92;

/**
 * Where a `Reader` resumes after a bad statement (reported first), so that
 * one error costs one statement and never the ones after it:
 * - a bad header (path, operator, splice head, reference): after its line;
 * - a quoted value too long to find its closing quote in: on the line after
 *   the opening quote's, since the lines the quote seemed to take in are
 *   most likely statements of their own;
 * - a bad value or path once the statement is complete: after the
 *   statement;
 * - a statement longer than `maxStatementLength`: after it, its
 *   continuation lines included, discarded as they arrive (`skipping`)
 *   without ever being buffered whole.
 */
export class Recovery {
  /** Discarding the rest of an over-long statement. */
  skipping = false;
  /** While skipping: the backslashes ending the text so far are odd in number. */
  #odd = false;
  readonly #lines: LineBuffer;

  constructor(lines: LineBuffer) {
    this.#lines = lines;
  }

  /** After a bad header: the statement is its first line. */
  skipLine(eol: number): void {
    this.#lines.consumeLine(eol);
  }

  /** After a bad quoted value that starts at `start`, its first line ending at `firstEol`. */
  resumeAfterFirstLine(start: number, firstEol: number): void {
    this.#lines.rewind(start);
    this.#lines.consumeLine(firstEol);
  }

  /** After a statement found too long: discards it from `from` on, as far as it has arrived. */
  skipStatement(from: number): void {
    this.skipping = true;
    this.#odd = false;
    this.#lines.pos = from;
    this.skip();
  }

  /**
   * Discards input up to the end of the statement being skipped: the first
   * line break not preceded by an odd number of backslashes. True when done,
   * false when the rest has not arrived yet.
   */
  skip(): boolean {
    const lines = this.#lines;
    const text = lines.text;
    let i = lines.pos;
    for (;;) {
      const eol = lines.findEol(i);
      const stop = eol === -1 ? text.length : eol;
      const odd = this.#endsOdd(text, i, stop);
      if (eol === -1) {
        this.#odd = odd;
        lines.pos = text.length;
        if (!lines.ended) return false;
        this.skipping = false;
        return true;
      }
      this.#odd = false;
      if (!odd) {
        this.skipping = false;
        lines.consumeBreak(eol);
        return true;
      }
      lines.line++;
      i = this.#afterBreak(text, eol);
    }
  }

  /**
   * Whether `[from, stop)` ends with an odd number of backslashes; a run
   * reaching `from` continues the run carried from the previous chunk.
   */
  #endsOdd(text: string, from: number, stop: number): boolean {
    let k = stop - 1;
    while (k >= from && text.charCodeAt(k) === BACKSLASH) k--;
    const odd = ((stop - 1 - k) & 1) === 1;
    return k < from ? this.#odd !== odd : odd;
  }

  /** Where the line after the break at `eol` starts (a CR at the end of the text may be half a CRLF). */
  #afterBreak(text: string, eol: number): number {
    const next = eol + 1;
    if (text.charCodeAt(eol) === CR) {
      if (next < text.length && text.charCodeAt(next) === LF) return next + 1;
      if (next >= text.length) this.#lines.expectLF();
    }
    return next;
  }
}

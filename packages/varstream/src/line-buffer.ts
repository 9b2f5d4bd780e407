import type { ErrorReporter } from './error-reporter.js';
import { Utf8Decoder } from './utf8.js';

const LF = 10;
const CR = 13;
/** Consumed text is dropped once there is at least this much of it (or nothing else). */
const COMPACT_FROM = 65_536;

/**
 * The text a `Reader` has not read yet, fed with chunks of text or UTF-8
 * bytes split anywhere: the read position and its line number, the line
 * breaks (LF, CRLF, CR; a CRLF may be split between two chunks), and the
 * next CR and backslash, cached so that every search stays linear however
 * the input is cut. Consumed text is dropped as chunks arrive, so the buffer
 * stays proportional to one statement.
 */
export class LineBuffer {
  /** The buffered text; `pos` is where reading resumes. */
  text = '';
  pos = 0;
  /** 1-based line number at `pos`. */
  line = 1;
  /** `end()` was called: no more text comes. */
  ended = false;
  /** A CR ended the text: a LF starting the next chunk belongs to it. */
  #skipLF = false;
  readonly #errors: ErrorReporter;
  #decoder: Utf8Decoder | undefined;
  /** Nothing written yet: a leading byte order mark is dropped. */
  #atStart = true;
  // Caches of the next CR and the next backslash (-1: none before `…Scanned`).
  #crPos = -1;
  #crScanned = 0;
  #bsPos = -1;
  #bsScanned = 0;

  constructor(errors: ErrorReporter) {
    this.#errors = errors;
  }

  /** A LF may still come that belongs to a CR already read. */
  get awaitsLF(): boolean {
    return this.#skipLF;
  }

  /**
   * Appends a chunk (bytes are decoded; invalid ones are an error, read as
   * U+FFFD). First drops the text before `keep` when that is worth it;
   * returns how many characters were dropped (positions held elsewhere move
   * back by as much).
   */
  write(chunk: string | Uint8Array, keep: number): number {
    let text = typeof chunk === 'string' ? chunk : this.#decode(chunk);
    if (text.length === 0) return 0;
    if (this.#atStart) {
      // A byte order mark opens some files: it is not part of the text.
      this.#atStart = false;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        if (text.length === 0) return 0;
      }
    }
    const dropped = this.#compact(keep);
    this.text = this.text.length === 0 ? text : this.text + text;
    return dropped;
  }

  /** No more input: the bytes of an incomplete character left are invalid. */
  end(): void {
    if (this.#decoder !== undefined) {
      const decoded = this.#decoder.flush();
      if (decoded.invalidAt !== -1) this.#errors.invalidUtf8(decoded.invalidAt);
      if (decoded.text.length > 0) this.text += decoded.text;
    }
    this.ended = true;
  }

  #decode(bytes: Uint8Array): string {
    this.#decoder ??= new Utf8Decoder('replace');
    const decoded = this.#decoder.decode(bytes);
    if (decoded.invalidAt !== -1) this.#errors.invalidUtf8(decoded.invalidAt);
    return decoded.text;
  }

  /** Drops the text before `keep` when it is long enough to be worth a copy. */
  #compact(keep: number): number {
    if (keep === 0 || (keep < COMPACT_FROM && keep < this.text.length)) return 0;
    this.text = this.text.slice(keep);
    this.pos -= keep;
    this.#crPos = this.#crPos >= keep ? this.#crPos - keep : -1;
    this.#crScanned = Math.max(0, this.#crScanned - keep);
    this.#bsPos = this.#bsPos >= keep ? this.#bsPos - keep : -1;
    this.#bsScanned = Math.max(0, this.#bsScanned - keep);
    return keep;
  }

  // --- searching ---------------------------------------------------------------------------

  /** Index of the next LF or CR at or after `from`, or -1. */
  findEol(from: number): number {
    const text = this.text;
    const lf = text.indexOf('\n', from);
    let cr = this.#crPos;
    if (cr < from) {
      // No CR was found in [.., #crScanned): only search what is new.
      const scanFrom = cr === -1 && this.#crScanned > from ? this.#crScanned : from;
      cr = scanFrom >= text.length ? -1 : text.indexOf('\r', scanFrom);
      this.#crPos = cr;
      this.#crScanned = text.length;
    }
    if (cr === -1) return lf;
    if (lf === -1) return cr;
    return Math.min(lf, cr);
  }

  /** Index of the next backslash at or after `from`, or -1. */
  nextBackslash(from: number): number {
    let bs = this.#bsPos;
    if (bs >= from) return bs;
    const text = this.text;
    const scanFrom = bs === -1 && this.#bsScanned > from ? this.#bsScanned : from;
    bs = scanFrom >= text.length ? -1 : text.indexOf('\\', scanFrom);
    this.#bsPos = bs;
    this.#bsScanned = text.length;
    return bs;
  }

  // --- moving ------------------------------------------------------------------------------

  /**
   * Reads the LF that completes a CR at the end of the previous chunk, if it
   * came. False while it may still come (nothing after the CR yet).
   */
  takeLF(): boolean {
    if (!this.#skipLF) return true;
    if (this.pos >= this.text.length) return false;
    if (this.text.charCodeAt(this.pos) === LF) this.pos++;
    this.#skipLF = false;
    return true;
  }

  /** A CR at the end of the text was read as a line break: a LF arriving next is part of it. */
  expectLF(): void {
    this.#skipLF = !this.ended;
  }

  /** Consumes the line ending at `eol` and its line break. */
  consumeLine(eol: number): void {
    this.finish(eol, 0);
  }

  /** Consumes up to `end` and the line break there; `breaks` line breaks were before it. */
  finish(end: number, breaks: number): void {
    this.line += breaks;
    if (end >= this.text.length) {
      this.pos = end;
      return;
    }
    this.consumeBreak(end);
  }

  /** Consumes the line break (LF, CRLF or CR) at `at`. */
  consumeBreak(at: number): void {
    const text = this.text;
    this.line++;
    if (text.charCodeAt(at) === CR) {
      if (at + 1 >= text.length) {
        this.pos = at + 1;
        this.expectLF();
        return;
      }
      if (text.charCodeAt(at + 1) === LF) {
        this.pos = at + 2;
        return;
      }
    }
    this.pos = at + 1;
  }

  /** Moves back to `to` (after a statement that was read ahead), searches restarting there. */
  rewind(to: number): void {
    this.pos = to;
    this.#crPos = -1;
    this.#crScanned = to;
    this.#bsPos = -1;
    this.#bsScanned = to;
  }
}

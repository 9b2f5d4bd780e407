import { bareValueText } from './bare-value-text.js';
import { type Limits, resolveLimits } from './defaults.js';
import { VarStreamError, type VarStreamErrorCode } from './errors.js';
import { expandPath } from './expand-path.js';
import {
  findClosingQuote,
  type Path,
  ScanError,
  type ScannedPath,
  type Segment,
  scanPath,
  unquote,
} from './path.js';
import { PathContext } from './path-context.js';
import { scanSpliceHead } from './splice-head.js';
import type { Entry, Operator, Statement } from './statement.js';
import { statementError } from './statement-error.js';
import type { Splice } from './text/splices.js';
import { type DecodedChunk, Utf8Decoder } from './utf8.js';
import { type Literal, typeBareValue } from './value.js';

export interface ReaderOptions {
  /** Throw the first error instead of reporting it and skipping the statement. Default false. */
  strict?: boolean;
  /** Overrides of `defaults`. */
  limits?: Partial<Limits>;
  /** Tolerant mode: called with each error; the bad statement is skipped. */
  onError?: (error: VarStreamError) => void;
  /** Yield `#` comment lines as `Comment` entries. Default false. */
  comments?: boolean;
  /**
   * The `^` context. Share it with `Tree.apply` so that `^` after `+`
   * refers to the exact element the previous statement appended.
   */
  context?: PathContext;
}

/**
 * For `parse()` only (not exported by the package): the position of a reader
 * between two statements, and moving it forward past text that the fast path
 * of `parse()` already read.
 */
export const readerInternals = {
  position: undefined as unknown as (reader: Reader) => number,
  seek: undefined as unknown as (reader: Reader, pos: number, line: number) => void,
};

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;

/**
 * Incremental VarStream reader. Feed it text or UTF-8 bytes split anywhere
 * with `write()`, call `end()` after the last chunk, and pull statements with
 * `read()` (or iterate). Each statement is returned as soon as its last line
 * is complete, with `^` expanded, before anything is applied anywhere.
 *
 * State kept between chunks: the unread text (at most one statement), the
 * header of a statement whose value is not complete yet, and positions
 * already scanned, so every character is looked at a bounded number of times.
 */
export class Reader implements Iterable<Entry> {
  readonly context: PathContext;
  readonly limits: Limits;
  readonly #strict: boolean;
  readonly #onError: ((error: VarStreamError) => void) | undefined;
  readonly #comments: boolean;

  #buf = '';
  #pos = 0;
  #line = 1;
  #ended = false;
  /** A CR ended the buffer: a LF starting the next chunk belongs to it. */
  #skipLF = false;
  #decoder: Utf8Decoder | undefined;
  /** Nothing written yet: a leading byte order mark is dropped. */
  #atStart = true;
  /** Strict mode: the error to throw once the bad statement is consumed. */
  #thrown: VarStreamError | undefined;
  /** Discarding an over-long statement; parity of the trailing backslashes seen. */
  #skipping = false;
  #skipOdd = false;
  // Caches of the next CR and the next backslash, to keep every scan linear.
  #crPos = -1;
  #crScanned = 0;
  #bsPos = -1;
  #bsScanned = 0;

  // The statement being read (its header is parsed; `#pending` while its value is incomplete).
  #pending = false;
  #op: Operator = '=';
  #lval: ScannedPath | undefined;
  #ref: ScannedPath | undefined;
  /** `~=`: the position and deleted length read from its right side. */
  #spliceAt = 0;
  #spliceDel = 0;
  #stmtLine = 0;
  #start = 0;
  #firstEol = 0;
  #valueStart = 0;
  #quoted = false;
  /** Bare values: the last physical line seen. Quoted: where to resume the search. */
  #lineStart = 0;
  #lineEnd = 0;
  #scanFrom = 0;
  /** Line breaks inside the statement so far, and where each continued line ends (bare values). */
  #breaks = 0;
  readonly #lineEnds: number[] = [];

  static {
    readerInternals.position = (reader) => reader.#pos;
    readerInternals.seek = (reader, pos, line) => {
      if (reader.#pending || reader.#skipping || reader.#skipLF || pos < reader.#pos) {
        throw new Error('Reader: seek() only moves forward between statements');
      }
      reader.#pos = pos;
      reader.#line = line;
    };
  }

  constructor(options: ReaderOptions = {}) {
    this.#strict = options.strict === true;
    this.limits = resolveLimits(options.limits);
    this.#onError = options.onError;
    this.#comments = options.comments === true;
    this.context = options.context ?? new PathContext();
  }

  /** True once `end()` was called and everything was read. */
  get done(): boolean {
    return this.#ended && !this.#pending && this.#pos >= this.#buf.length;
  }

  /** 1-based line number of the next unread character. */
  get line(): number {
    return this.#line;
  }

  write(chunk: string | Uint8Array): void {
    if (this.#ended) throw new VarStreamError('STREAM_STATE', 'write() after end()');
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      this.#decoder ??= new Utf8Decoder('replace');
      text = this.#decodedText(this.#decoder.decode(chunk));
    }
    if (text.length === 0) return;
    if (this.#atStart) {
      // A byte order mark opens some files: it is not part of the text.
      this.#atStart = false;
      if (text.charCodeAt(0) === 0xfeff) {
        text = text.slice(1);
        if (text.length === 0) return;
      }
    }
    this.#compact();
    this.#buf = this.#buf.length === 0 ? text : this.#buf + text;
  }

  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined) this.write(chunk);
    if (this.#ended) return;
    if (this.#decoder !== undefined) {
      const rest = this.#decodedText(this.#decoder.flush());
      if (rest.length > 0) this.#buf += rest;
    }
    this.#ended = true;
  }

  /** Invalid bytes are an error: thrown in strict mode, else reported (they read as U+FFFD). */
  #decodedText({ text, invalidAt }: DecodedChunk): string {
    if (invalidAt !== -1) {
      const error = new VarStreamError(
        'BAD_UTF8',
        `Invalid UTF-8 at byte ${invalidAt} of the input`,
      );
      if (this.#strict) throw error;
      this.#report(error);
    }
    return text;
  }

  *[Symbol.iterator](): Iterator<Entry> {
    for (let entry = this.read(); entry !== null; entry = this.read()) yield entry;
  }

  /** Reads everything currently available. */
  readAll(): Entry[] {
    const out: Entry[] = [];
    for (let entry = this.read(); entry !== null; entry = this.read()) out.push(entry);
    return out;
  }

  /**
   * The next complete statement (or comment, with `{ comments: true }`), or
   * `null` when more input is needed (or after the end). In strict mode the
   * first error is thrown, after the bad statement was consumed.
   */
  read(): Entry | null {
    const entry = this.#next();
    const error = this.#thrown;
    if (error !== undefined) {
      this.#thrown = undefined;
      throw error;
    }
    return entry;
  }

  #next(): Entry | null {
    for (;;) {
      if (this.#thrown !== undefined) return null;
      const buf = this.#buf;
      if (this.#skipLF) {
        if (this.#pos >= buf.length) return null;
        if (buf.charCodeAt(this.#pos) === LF) this.#pos++;
        this.#skipLF = false;
      }
      if (this.#skipping && !this.#skip()) return null;
      if (this.#pending) {
        const statement = this.#complete();
        if (statement === null) return null;
        if (statement === undefined) continue;
        return statement;
      }
      const pos = this.#pos;
      if (pos >= buf.length) return null;
      const c = buf.charCodeAt(pos);
      if (c === LF || c === CR) {
        this.#consumeBreak(pos);
        continue;
      }
      const eol = this.#findEol(pos);
      if (eol === -1 && !this.#ended) {
        if (buf.length - pos > this.limits.maxStatementLength) {
          this.#fail('LIMIT_STATEMENT', this.#tooLong(), pos, pos, buf.length);
          this.#startSkip(pos);
        }
        return null;
      }
      const lineEnd = eol === -1 ? buf.length : eol;
      if (lineEnd - pos > this.limits.maxStatementLength) {
        this.#fail('LIMIT_STATEMENT', this.#tooLong(), pos, pos, lineEnd);
        // Skip its continuation lines too, as when the limit is hit before the line is complete.
        this.#startSkip(pos);
        continue;
      }
      if (c === HASH || c === SPACE || c === TAB) {
        let i = pos;
        while (i < lineEnd) {
          const d = buf.charCodeAt(i);
          if (d !== SPACE && d !== TAB) break;
          i++;
        }
        if (i === lineEnd || buf.charCodeAt(i) === HASH) {
          const line = this.#line;
          this.#consumeLine(lineEnd);
          if (this.#comments && i < lineEnd) {
            return { op: '#', text: buf.slice(i + 1, lineEnd), line };
          }
          continue;
        }
      }
      if (!this.#header(pos, lineEnd)) continue;
      this.#pending = true;
    }
  }

  // --- one statement -------------------------------------------------------------

  /** Parses the path(s) and operator of the statement starting at `start`. */
  #header(start: number, eol: number): boolean {
    const buf = this.#buf;
    const { maxPathDepth, maxArrayIndex } = this.limits;
    let lval: ScannedPath;
    try {
      lval = scanPath(buf, start, eol, maxPathDepth, maxArrayIndex);
    } catch (err) {
      this.#scanFailed(err, start, eol);
      this.#consumeLine(eol);
      return false;
    }
    const p = lval.end;
    if (p >= eol) {
      this.#fail('NO_OPERATOR', 'Missing operator', start, p, eol);
      this.#consumeLine(eol);
      return false;
    }
    const c = buf.charCodeAt(p);
    let op: Operator;
    let valueStart: number;
    if (c === 61 /* = */) {
      op = '=';
      valueStart = p + 1;
    } else {
      if (p + 1 >= eol || buf.charCodeAt(p + 1) !== 61) {
        this.#fail('BAD_OPERATOR', `Expected "=" after "${buf[p]}"`, start, p + 1, eol);
        this.#consumeLine(eol);
        return false;
      }
      op = `${buf[p]}=` as Operator;
      valueStart = p + 2;
    }
    let ref: ScannedPath | undefined;
    if (op === '~=') {
      const head = scanSpliceHead(buf, valueStart, eol);
      if (typeof head === 'number') {
        this.#fail(
          'BAD_SPLICE',
          'Expected "~=position,deleted[,text]" (decimal numbers)',
          start,
          head,
          eol,
        );
        this.#consumeLine(eol);
        return false;
      }
      this.#spliceAt = head.at;
      this.#spliceDel = head.del;
      valueStart = head.textStart;
    }
    if (op === '&=') {
      if (valueStart >= eol) {
        this.#fail('EMPTY_VALUE', 'Missing reference after "&="', start, valueStart, eol);
        this.#consumeLine(eol);
        return false;
      }
      try {
        ref = scanPath(buf, valueStart, eol, maxPathDepth, maxArrayIndex);
        if (ref.end !== eol) {
          throw new ScanError('BAD_SEGMENT', 'Illegal character in a reference path', ref.end);
        }
      } catch (err) {
        this.#scanFailed(err, start, eol);
        this.#consumeLine(eol);
        return false;
      }
    }
    this.#op = op;
    this.#lval = lval;
    this.#ref = ref;
    this.#stmtLine = this.#line;
    this.#start = start;
    this.#firstEol = eol;
    this.#valueStart = valueStart;
    this.#quoted = op !== '&=' && valueStart < eol && buf.charCodeAt(valueStart) === QUOTE;
    this.#lineStart = valueStart;
    this.#lineEnd = eol;
    this.#scanFrom = valueStart + 1;
    this.#breaks = 0;
    this.#lineEnds.length = 0;
    return true;
  }

  /**
   * Completes the statement whose header was parsed, if its end is
   * available. Returns it, `null` to wait for input, or `undefined` after an
   * error (already reported).
   */
  #complete(): Statement | null | undefined {
    const buf = this.#buf;
    let end: number;
    if (this.#op === '&=') {
      end = this.#firstEol;
    } else if (this.#quoted) {
      const found = this.#closeQuote();
      if (found === null) return null;
      if (found === -1) return undefined;
      end = found;
    } else {
      // Bare value: it continues while a line ends with an odd number of backslashes.
      for (;;) {
        const lineEnd = this.#lineEnd;
        let k = lineEnd - 1;
        while (k >= this.#lineStart && buf.charCodeAt(k) === BACKSLASH) k--;
        if (((lineEnd - 1 - k) & 1) === 0) break;
        if (lineEnd >= buf.length) {
          if (!this.#ended) return this.#wait(this.#lineStart);
          break; // end of input: the continuation line is empty
        }
        let next = lineEnd + 1;
        if (buf.charCodeAt(lineEnd) === CR) {
          if (next >= buf.length && !this.#ended) return this.#wait(this.#lineStart);
          if (next < buf.length && buf.charCodeAt(next) === LF) next++;
        }
        const eol = this.#findEol(next);
        if (eol === -1 && !this.#ended) return this.#wait(next, 1);
        this.#lineEnds.push(lineEnd, next);
        this.#lineStart = next;
        this.#lineEnd = eol === -1 ? buf.length : eol;
        this.#breaks++;
      }
      end = this.#lineEnd;
    }
    this.#pending = false;
    if (end - this.#start > this.limits.maxStatementLength) {
      this.#failTooLong();
      this.#finish(end, this.#breaks);
      return undefined;
    }
    const statement = this.#build(end);
    this.#finish(end, this.#breaks);
    return statement;
  }

  /**
   * Waits for more input, unless the statement is already too long: then skip
   * it from `resumeAt`, past `passed` line breaks not counted in `#breaks` yet.
   */
  #wait(resumeAt: number, passed = 0): null | undefined {
    if (this.#buf.length - this.#start <= this.limits.maxStatementLength) return null;
    this.#pending = false;
    this.#failTooLong();
    this.#line += this.#breaks + passed;
    this.#startSkip(resumeAt);
    return undefined;
  }

  /**
   * Finds the end of a quoted value. Returns the index after the closing
   * quote, `null` to wait, or -1 after reporting an error (the reader then
   * resumes on the line after the opening quote).
   */
  #closeQuote(): number | null {
    const buf = this.#buf;
    const start = this.#start;
    const q = findClosingQuote(buf, this.#valueStart, buf.length, this.#scanFrom);
    const max = this.limits.maxStatementLength;
    if (q === -1) {
      this.#scanFrom = Math.max(this.#valueStart + 1, buf.length);
      // Longer than allowed without its closing quote: the same error whether
      // the rest of the input has arrived or not.
      if (buf.length - start > max) return this.#quoteTooLong();
      if (!this.#ended) return null;
      this.#pending = false;
      this.#fail(
        'BAD_QUOTE',
        'Unterminated quoted value',
        start,
        this.#valueStart,
        this.#firstEol,
        this.#stmtLine,
      );
      this.#recoverAfterFirstLine();
      return -1;
    }
    this.#scanFrom = q;
    // As if the quote had arrived after the reader gave up waiting for it.
    if (q - start > max) return this.#quoteTooLong();
    const after = q + 1;
    if (after >= buf.length && !this.#ended) return null;
    const c = after >= buf.length ? LF : buf.charCodeAt(after);
    if (c === LF || c === CR) {
      if (q > this.#firstEol) {
        for (let i = this.#findEol(this.#valueStart); i !== -1 && i < q; i = this.#findEol(i + 1)) {
          this.#breaks++;
          if (buf.charCodeAt(i) === CR && buf.charCodeAt(i + 1) === LF) i++;
        }
      }
      return after;
    }
    this.#pending = false;
    const inFirstLine = q < this.#firstEol;
    this.#fail(
      'BAD_QUOTE',
      inFirstLine ? 'Unexpected text after a closing quote' : 'Unterminated quoted value',
      start,
      inFirstLine ? after : this.#valueStart,
      this.#firstEol,
      this.#stmtLine,
    );
    this.#recoverAfterFirstLine();
    return -1;
  }

  #quoteTooLong(): -1 {
    this.#pending = false;
    this.#failTooLong();
    this.#recoverAfterFirstLine();
    return -1;
  }

  /** After a bad quoted value, resume on the line after its opening line. */
  #recoverAfterFirstLine(): void {
    const start = this.#start;
    this.#pos = start;
    this.#crPos = -1;
    this.#crScanned = start;
    this.#bsPos = -1;
    this.#bsScanned = start;
    this.#consumeLine(this.#firstEol);
  }

  /** Builds the statement spanning `[#start, end)`. Returns undefined on error. */
  #build(end: number): Statement | undefined {
    const ctx = this.context;
    const op = this.#op;
    let value: Literal | undefined;
    let ref: Path | undefined;
    let splice: Splice | undefined;
    try {
      if (op === '&=') {
        ref = this.#expand(this.#ref!);
        ctx.previous = ref as Segment[];
      } else if (op === '~=') {
        const text = this.#quoted
          ? unquote(this.#buf.slice(this.#valueStart + 1, end - 1), this.#valueStart + 1, true)
          : this.#bareText(end);
        splice = { at: this.#spliceAt, del: this.#spliceDel, text };
      } else if (this.#quoted) {
        value = unquote(this.#buf.slice(this.#valueStart + 1, end - 1), this.#valueStart + 1, true);
      } else {
        value = this.#bareValue(end);
        if (value === undefined && op !== '=') {
          throw new ScanError('EMPTY_VALUE', `Missing value after "${op}"`, this.#valueStart);
        }
      }
      const path = this.#expand(this.#lval!);
      ctx.previous = path as Segment[];
      return splice === undefined
        ? { op, path, value, ref, line: this.#stmtLine }
        : { op, path, value, ref, splice, line: this.#stmtLine };
    } catch (err) {
      this.#scanFailed(err, this.#start, this.#firstEol, this.#stmtLine);
      return undefined;
    }
  }

  #bareValue(end: number): Literal | undefined {
    if (this.#valueStart === end) return undefined;
    return typeBareValue(this.#bareText(end));
  }

  /** The text of a bare value, escapes and continuation lines resolved, not typed. */
  #bareText(end: number): string {
    const start = this.#valueStart;
    const bs = this.#nextBackslash(start);
    if (bs === -1 || bs >= end) return this.#buf.slice(start, end);
    return bareValueText(this.#buf, start, end, this.#lineEnds, (at) => this.#badEscape(at));
  }

  /** A backslash followed by neither a backslash nor a line break: kept as is in tolerant mode. */
  #badEscape(at: number): void {
    const reason = 'A backslash must be followed by a backslash or a line break';
    if (this.#strict) throw new ScanError('BAD_ESCAPE', reason, at);
    this.#fail('BAD_ESCAPE', reason, this.#start, at, this.#firstEol, this.#stmtLine);
  }

  #expand(scanned: ScannedPath): Path {
    return expandPath(scanned, this.context.previous, this.limits.maxPathDepth, this.#start);
  }

  // --- positions -------------------------------------------------------------

  /** Index of the next LF or CR at or after `from`, or -1. */
  #findEol(from: number): number {
    const buf = this.#buf;
    const lf = buf.indexOf('\n', from);
    let cr = this.#crPos;
    if (cr < from) {
      // No CR was found in [.., #crScanned): only search what is new.
      const scanFrom = cr === -1 && this.#crScanned > from ? this.#crScanned : from;
      cr = scanFrom >= buf.length ? -1 : buf.indexOf('\r', scanFrom);
      this.#crPos = cr;
      this.#crScanned = buf.length;
    }
    if (cr === -1) return lf;
    if (lf === -1) return cr;
    return Math.min(lf, cr);
  }

  #nextBackslash(from: number): number {
    let bs = this.#bsPos;
    if (bs >= from) return bs;
    const buf = this.#buf;
    const scanFrom = bs === -1 && this.#bsScanned > from ? this.#bsScanned : from;
    bs = scanFrom >= buf.length ? -1 : buf.indexOf('\\', scanFrom);
    this.#bsPos = bs;
    this.#bsScanned = buf.length;
    return bs;
  }

  /** Consumes the line ending at `eol` (and its line break). */
  #consumeLine(eol: number): void {
    this.#finish(eol, 0);
  }

  /** Consumes up to `end` plus the line break there; `breaks` line breaks were inside. */
  #finish(end: number, breaks: number): void {
    this.#line += breaks;
    if (end >= this.#buf.length) {
      this.#pos = end;
      return;
    }
    this.#consumeBreak(end);
  }

  #consumeBreak(at: number): void {
    const buf = this.#buf;
    this.#line++;
    if (buf.charCodeAt(at) === CR) {
      if (at + 1 >= buf.length) {
        this.#pos = at + 1;
        this.#skipLF = !this.#ended;
        return;
      }
      if (buf.charCodeAt(at + 1) === LF) {
        this.#pos = at + 2;
        return;
      }
    }
    this.#pos = at + 1;
  }

  /** Drops consumed text so the buffer stays proportional to one statement. */
  #compact(): void {
    const keep = this.#pending ? Math.min(this.#pos, this.#start) : this.#pos;
    if (keep === 0 || (keep < 65_536 && keep < this.#buf.length)) return;
    this.#buf = this.#buf.slice(keep);
    this.#pos -= keep;
    this.#crPos = this.#crPos >= keep ? this.#crPos - keep : -1;
    this.#crScanned = Math.max(0, this.#crScanned - keep);
    this.#bsPos = this.#bsPos >= keep ? this.#bsPos - keep : -1;
    this.#bsScanned = Math.max(0, this.#bsScanned - keep);
    if (this.#pending) {
      this.#start -= keep;
      this.#firstEol -= keep;
      this.#valueStart -= keep;
      this.#lineStart -= keep;
      this.#lineEnd -= keep;
      this.#scanFrom -= keep;
      const ends = this.#lineEnds;
      for (let i = 0; i < ends.length; i++) ends[i]! -= keep;
      const lval = this.#lval;
      if (lval !== undefined) lval.end -= keep;
    }
  }

  // --- skipping over-long statements ----------------------------------------------

  #startSkip(from: number): void {
    this.#skipping = true;
    this.#skipOdd = false;
    this.#pos = from;
    this.#skip();
  }

  /** Discards input up to the end of the current statement; true when done. */
  #skip(): boolean {
    const buf = this.#buf;
    let i = this.#pos;
    for (;;) {
      const eol = this.#findEol(i);
      const stop = eol === -1 ? buf.length : eol;
      let k = stop - 1;
      while (k >= i && buf.charCodeAt(k) === BACKSLASH) k--;
      const run = stop - 1 - k;
      // A backslash run reaching `i` continues the run carried from the previous chunk.
      const odd = k < i ? this.#skipOdd !== ((run & 1) === 1) : (run & 1) === 1;
      if (eol === -1) {
        this.#skipOdd = odd;
        this.#pos = buf.length;
        if (!this.#ended) return false;
        this.#skipping = false;
        return true;
      }
      this.#skipOdd = false;
      if (!odd) {
        this.#skipping = false;
        this.#consumeBreak(eol);
        return true;
      }
      this.#line++;
      i = eol + 1;
      if (buf.charCodeAt(eol) === CR) {
        if (i < buf.length && buf.charCodeAt(i) === LF) i++;
        else if (i >= buf.length && !this.#ended) this.#skipLF = true;
      }
    }
  }

  // --- errors ------------------------------------------------------------------

  #tooLong(): string {
    return `Statement longer than ${this.limits.maxStatementLength} characters`;
  }

  /** The statement being read is over `maxStatementLength`. */
  #failTooLong(): void {
    this.#fail(
      'LIMIT_STATEMENT',
      this.#tooLong(),
      this.#start,
      this.#start,
      this.#firstEol,
      this.#stmtLine,
    );
  }

  #fail(
    code: VarStreamErrorCode,
    reason: string,
    start: number,
    at: number,
    eol: number,
    line = this.#line,
  ): void {
    // Tolerant with nobody listening: an error object would only be thrown away.
    if (!this.#strict && this.#onError === undefined) return;
    this.#report(statementError(this.#buf, code, reason, start, at, eol, line));
  }

  #scanFailed(err: unknown, start: number, eol: number, line = this.#line): void {
    if (!(err instanceof ScanError)) throw err;
    this.#fail(err.code, err.reason, start, err.pos, eol, line);
  }

  /** Tolerant: hand the error to onError. Strict: keep it to throw once the statement is consumed. */
  #report(error: VarStreamError): void {
    if (this.#strict) this.#thrown ??= error;
    else this.#onError?.(error);
  }
}

/**
 * Lives as long as the module: it keeps the hidden classes of `Reader` and of
 * its limits, and so the optimized code that depends on them, alive between
 * two readers (else every garbage collection in between throws that code away).
 * @internal
 */
export const keepAlive = new Reader();

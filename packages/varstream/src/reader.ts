import { type Limits, resolveLimits } from './defaults.js';
import { VarStreamError, type VarStreamErrorCode } from './errors.js';
import {
  APPEND,
  BACK_NONE,
  BACK_PARENT,
  findClosingQuote,
  LAST,
  type Path,
  RESET,
  ScanError,
  type ScannedPath,
  type Segment,
  scanPath,
  unquote,
} from './path.js';
import { PathContext } from './path-context.js';
import type { Entry, Operator, Statement } from './statement.js';
import { Utf8Decoder } from './utf8.js';
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

const LF = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;

/** A statement whose header is parsed and whose value is not complete yet. */
interface Pending {
  op: Operator;
  lval: ScannedPath;
  ref: ScannedPath | undefined;
  line: number;
  /** Start of the statement (for length checks and recovery). */
  start: number;
  /** End of the first physical line. */
  firstEol: number;
  /** Start of the value (after the operator). */
  valueStart: number;
  quoted: boolean;
  /** Bare values: start and end of the last physical line seen. */
  lineStart: number;
  lineEnd: number;
  /** Line breaks inside the statement so far. */
  breaks: number;
  /** Quoted values: where to resume searching for the closing quote. */
  scanFrom: number;
}

/**
 * Incremental VarStream reader. Feed it text or UTF-8 bytes split anywhere
 * with `write()`, call `end()` after the last chunk, and pull statements with
 * `read()` (or iterate). Each statement is returned as soon as its last line
 * is complete, with `^` expanded, before anything is applied anywhere.
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
  #skipLF = false;
  #pending: Pending | undefined;
  /** Discarding an over-long statement: parity of trailing backslashes seen. */
  #skipping = false;
  #skipOddBackslashes = false;
  #decoder: Utf8Decoder | undefined;
  /** Strict mode: the error to throw once the bad statement is consumed. */
  #thrown: VarStreamError | undefined;
  // Caches of the next CR and the next backslash, to keep every scan linear.
  #crPos = -1;
  #crScanned = 0;
  #bsPos = -1;
  #bsScanned = 0;

  constructor(options: ReaderOptions = {}) {
    this.#strict = options.strict === true;
    this.limits = resolveLimits(options.limits);
    this.#onError = options.onError;
    this.#comments = options.comments === true;
    this.context = options.context ?? new PathContext();
  }

  /** True once `end()` was called and every statement was read. */
  get done(): boolean {
    return this.#ended && this.#pos >= this.#buf.length && this.#pending === undefined;
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
      this.#decoder ??= new Utf8Decoder(this.#strict, (e) => this.#report(e));
      text = this.#decoder.decode(chunk);
    }
    if (text.length === 0) return;
    this.#compact();
    this.#buf = this.#buf.length === 0 ? text : this.#buf + text;
  }

  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined) this.write(chunk);
    if (this.#ended) return;
    if (this.#decoder !== undefined) {
      const rest = this.#decoder.flush();
      if (rest.length > 0) this.#buf += rest;
    }
    this.#ended = true;
  }

  *[Symbol.iterator](): Iterator<Entry> {
    for (let entry = this.read(); entry !== null; entry = this.read()) yield entry;
  }

  /**
   * The next complete statement (or comment, with `{ comments: true }`), or
   * `null` when more input is needed (or after the end).
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
      if (this.#pending !== undefined) {
        const statement = this.#continue(this.#pending);
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
        this.#consumeLine(lineEnd);
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
      const pending = this.#header(pos, lineEnd);
      if (pending === undefined) continue;
      this.#pending = pending;
    }
  }

  /** Reads everything currently available. */
  readAll(): Entry[] {
    const out: Entry[] = [];
    for (let entry = this.read(); entry !== null; entry = this.read()) out.push(entry);
    return out;
  }

  // ---------------------------------------------------------------------------

  /** Parses the path(s) and operator of the statement starting at `start`. */
  #header(start: number, eol: number): Pending | undefined {
    const buf = this.#buf;
    const { maxPathDepth, maxArrayIndex } = this.limits;
    let lval: ScannedPath;
    try {
      lval = scanPath(buf, start, eol, maxPathDepth, maxArrayIndex);
    } catch (err) {
      this.#scanFailed(err, start, eol);
      this.#consumeLine(eol);
      return undefined;
    }
    const p = lval.end;
    if (p >= eol) {
      this.#fail('NO_OPERATOR', 'Missing operator', start, p, eol);
      this.#consumeLine(eol);
      return undefined;
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
        return undefined;
      }
      op = `${buf[p]}=` as Operator;
      valueStart = p + 2;
    }
    let ref: ScannedPath | undefined;
    if (op === '&=') {
      if (valueStart >= eol) {
        this.#fail('EMPTY_VALUE', 'Missing reference after "&="', start, valueStart, eol);
        this.#consumeLine(eol);
        return undefined;
      }
      try {
        ref = scanPath(buf, valueStart, eol, maxPathDepth, maxArrayIndex);
        if (ref.end !== eol) {
          throw new ScanError('BAD_SEGMENT', 'Illegal character in a reference path', ref.end);
        }
      } catch (err) {
        this.#scanFailed(err, start, eol);
        this.#consumeLine(eol);
        return undefined;
      }
    }
    return {
      op,
      lval,
      ref,
      line: this.#line,
      start,
      firstEol: eol,
      valueStart,
      quoted: op !== '&=' && valueStart < eol && buf.charCodeAt(valueStart) === QUOTE,
      lineStart: valueStart,
      lineEnd: eol,
      breaks: 0,
      scanFrom: valueStart + 1,
    };
  }

  /**
   * Completes the pending statement if its end is available. Returns the
   * statement, `null` to wait for input, or `undefined` when it failed.
   */
  #continue(p: Pending): Statement | null | undefined {
    const buf = this.#buf;
    let end: number;
    if (p.op === '&=') {
      end = p.firstEol;
    } else if (p.quoted) {
      const found = this.#closeQuote(p);
      if (found === null) return null;
      if (found === -1) return undefined;
      end = found;
    } else {
      // Bare value: continue while a line ends with an odd number of backslashes.
      for (;;) {
        let k = p.lineEnd - 1;
        while (k >= p.lineStart && buf.charCodeAt(k) === BACKSLASH) k--;
        if (((p.lineEnd - 1 - k) & 1) === 0) break;
        if (p.lineEnd >= buf.length) {
          if (!this.#ended) return this.#wait(p);
          break; // end of input: the continuation line is empty
        }
        let next = p.lineEnd + 1;
        if (buf.charCodeAt(p.lineEnd) === CR) {
          if (next >= buf.length && !this.#ended) return this.#wait(p);
          if (next < buf.length && buf.charCodeAt(next) === LF) next++;
        }
        const eol = this.#findEol(next);
        if (eol === -1 && !this.#ended) {
          // Remember the new line start only once it is complete.
          if (buf.length - p.start > this.limits.maxStatementLength) {
            this.#pending = undefined;
            this.#fail('LIMIT_STATEMENT', this.#tooLong(), p.start, p.start, p.firstEol, p.line);
            this.#startSkip(next);
            return undefined;
          }
          return null;
        }
        p.lineStart = next;
        p.lineEnd = eol === -1 ? buf.length : eol;
        p.breaks++;
      }
      end = p.lineEnd;
    }
    this.#pending = undefined;
    if (end - p.start > this.limits.maxStatementLength) {
      this.#fail('LIMIT_STATEMENT', this.#tooLong(), p.start, p.start, p.firstEol, p.line);
      this.#finish(end, p.breaks);
      return undefined;
    }
    const statement = this.#build(p, end);
    this.#finish(end, p.breaks);
    return statement;
  }

  #wait(p: Pending): null | undefined {
    if (this.#buf.length - p.start > this.limits.maxStatementLength) {
      this.#pending = undefined;
      this.#fail('LIMIT_STATEMENT', this.#tooLong(), p.start, p.start, p.firstEol, p.line);
      this.#line += p.breaks;
      this.#startSkip(p.lineStart);
      return undefined;
    }
    return null;
  }

  /**
   * Finds the end of a quoted value. Returns the index after the closing
   * quote, `null` to wait, or -1 after reporting an error (the reader then
   * resumes on the line after the opening quote).
   */
  #closeQuote(p: Pending): number | null {
    const buf = this.#buf;
    const q = findClosingQuote(buf, p.valueStart, buf.length, p.scanFrom);
    if (q === -1) {
      // Resume after the last backslash run next time (a `\` may precede a new quote).
      p.scanFrom = Math.max(p.valueStart + 1, buf.length);
      if (!this.#ended) {
        if (buf.length - p.start > this.limits.maxStatementLength) {
          this.#pending = undefined;
          this.#fail('LIMIT_STATEMENT', this.#tooLong(), p.start, p.start, p.firstEol, p.line);
          this.#recoverAfterFirstLine(p);
          return -1;
        }
        return null;
      }
      this.#pending = undefined;
      this.#fail(
        'BAD_QUOTE',
        'Unterminated quoted value',
        p.start,
        p.valueStart,
        p.firstEol,
        p.line,
      );
      this.#recoverAfterFirstLine(p);
      return -1;
    }
    p.scanFrom = q;
    const after = q + 1;
    if (after >= buf.length && !this.#ended) return null;
    const c = after >= buf.length ? LF : buf.charCodeAt(after);
    if (c === LF || c === CR) {
      for (let i = this.#findEol(p.valueStart); i !== -1 && i < q; i = this.#findEol(i + 1)) {
        p.breaks++;
        if (buf.charCodeAt(i) === CR && buf.charCodeAt(i + 1) === LF) i++;
      }
      return after;
    }
    this.#pending = undefined;
    const inFirstLine = q < p.firstEol;
    this.#fail(
      'BAD_QUOTE',
      inFirstLine ? 'Unexpected text after a closing quote' : 'Unterminated quoted value',
      p.start,
      inFirstLine ? after : p.valueStart,
      p.firstEol,
      p.line,
    );
    this.#recoverAfterFirstLine(p);
    return -1;
  }

  /** After a bad quoted value, resume on the line after its opening line. */
  #recoverAfterFirstLine(p: Pending): void {
    this.#pos = p.start;
    this.#crPos = -1;
    this.#crScanned = p.start;
    this.#bsPos = -1;
    this.#bsScanned = p.start;
    this.#consumeLine(p.firstEol);
  }

  /** Builds the statement spanning `[p.start, end)`. Returns undefined on error. */
  #build(p: Pending, end: number): Statement | undefined {
    const buf = this.#buf;
    const ctx = this.context;
    let value: Literal | undefined;
    let ref: Path | undefined;
    try {
      if (p.op === '&=') {
        ref = this.#expand(p.ref!, p.start);
        ctx.previous = ref as Segment[];
      } else if (p.quoted) {
        value = unquote(buf.slice(p.valueStart + 1, end - 1), p.valueStart + 1, true);
      } else {
        value = this.#bareValue(p, end);
        if (value === undefined && p.op !== '=') {
          throw new ScanError('EMPTY_VALUE', `Missing value after "${p.op}"`, p.valueStart);
        }
      }
      const path = this.#expand(p.lval, p.start);
      ctx.previous = path as Segment[];
      return { op: p.op, path, value, ref, line: p.line };
    } catch (err) {
      this.#scanFailed(err, p.start, p.firstEol, p.line);
      return undefined;
    }
  }

  #bareValue(p: Pending, end: number): Literal | undefined {
    const buf = this.#buf;
    const start = p.valueStart;
    const bs = this.#nextBackslash(start);
    if (bs === -1 || bs >= end) {
      if (start === end) return undefined;
      return typeBareValue(buf.slice(start, end));
    }
    // Escapes and/or continuation lines.
    let out = '';
    let lineStart = start;
    for (;;) {
      const eol = lineStart >= end ? end : this.#findEolBefore(lineStart, end);
      const lineEnd = eol === -1 ? end : eol;
      let k = lineEnd - 1;
      while (k >= lineStart && buf.charCodeAt(k) === BACKSLASH) k--;
      const continued = ((lineEnd - 1 - k) & 1) === 1;
      out += this.#unescape(lineStart, continued ? lineEnd - 1 : lineEnd, p);
      if (!continued) break;
      out += '\n';
      if (lineEnd >= end) break;
      lineStart = lineEnd + 1;
      if (buf.charCodeAt(lineEnd) === CR && buf.charCodeAt(lineStart) === LF) lineStart++;
    }
    return typeBareValue(out);
  }

  /** Resolves `\\` in `[from, to)`; any other escape is an error (kept as is in tolerant mode). */
  #unescape(from: number, to: number, p: Pending): string {
    const buf = this.#buf;
    let i = buf.indexOf('\\', from);
    if (i === -1 || i >= to) return buf.slice(from, to);
    let out = '';
    let last = from;
    while (i !== -1 && i < to) {
      const next = buf.charCodeAt(i + 1);
      if (next === BACKSLASH && i + 1 < to) {
        out += buf.slice(last, i + 1);
        last = i + 2;
        i = buf.indexOf('\\', i + 2);
      } else {
        const reason = 'A backslash must be followed by a backslash or a line break';
        if (this.#strict) throw new ScanError('BAD_ESCAPE', reason, i);
        this.#report(this.#error('BAD_ESCAPE', reason, p.start, i, p.firstEol, p.line));
        i = buf.indexOf('\\', i + 1);
      }
    }
    return out + buf.slice(last, to);
  }

  #expand(scanned: ScannedPath, start: number): Path {
    if (scanned.back === BACK_NONE) return scanned.segments;
    const previous = this.context.previous;
    const n =
      scanned.back === BACK_PARENT ? (previous.length > 0 ? previous.length - 1 : 0) : scanned.back;
    if (n > previous.length) {
      throw new ScanError(
        'BAD_BACKREF',
        `Backward reference ^${n} is longer than the previous path (${previous.length})`,
        start,
      );
    }
    const depth = n + scanned.segments.length;
    if (depth > this.limits.maxPathDepth) {
      throw new ScanError(
        'LIMIT_DEPTH',
        `Path deeper than ${this.limits.maxPathDepth} segments`,
        start,
      );
    }
    const path: Segment[] = new Array(depth);
    for (let i = 0; i < n; i++) {
      const s = previous[i]!;
      // The element the previous statement appended (or reset to) is now the last one.
      path[i] = s === APPEND ? LAST : s === RESET ? 0 : s;
    }
    for (let i = 0; i < scanned.segments.length; i++) path[n + i] = scanned.segments[i]!;
    return path;
  }

  // --- positions -------------------------------------------------------------

  /** Index of the next LF or CR at or after `from`, or -1. */
  #findEol(from: number): number {
    const buf = this.#buf;
    const lf = buf.indexOf('\n', from);
    let cr = this.#crPos;
    if (cr < from) {
      if (cr === -1 && this.#crScanned >= from && this.#crScanned === buf.length) {
        cr = -1;
      } else {
        const scanFrom = cr === -1 && this.#crScanned > from ? this.#crScanned : from;
        cr = buf.indexOf('\r', scanFrom);
        this.#crPos = cr;
        this.#crScanned = buf.length;
      }
    }
    if (cr === -1) return lf;
    if (lf === -1) return cr;
    return Math.min(lf, cr);
  }

  /** Like #findEol but only within `[from, end)`; -1 when none. */
  #findEolBefore(from: number, end: number): number {
    const eol = this.#findEol(from);
    return eol === -1 || eol >= end ? -1 : eol;
  }

  #nextBackslash(from: number): number {
    let bs = this.#bsPos;
    if (bs >= from) return bs;
    const buf = this.#buf;
    if (bs === -1 && this.#bsScanned >= from && this.#bsScanned === buf.length) return -1;
    const scanFrom = bs === -1 && this.#bsScanned > from ? this.#bsScanned : from;
    bs = buf.indexOf('\\', scanFrom);
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
    const buf = this.#buf;
    this.#line += breaks;
    if (end >= buf.length) {
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
    const pos = this.#pos;
    if (pos === 0) return;
    const p = this.#pending;
    const keep = p === undefined ? pos : Math.min(pos, p.start);
    if (keep < 65536 && keep < this.#buf.length) return;
    this.#buf = this.#buf.slice(keep);
    this.#pos -= keep;
    this.#crPos = this.#crPos >= keep ? this.#crPos - keep : -1;
    this.#crScanned = Math.max(0, this.#crScanned - keep);
    this.#bsPos = this.#bsPos >= keep ? this.#bsPos - keep : -1;
    this.#bsScanned = Math.max(0, this.#bsScanned - keep);
    if (p !== undefined) {
      p.start -= keep;
      p.firstEol -= keep;
      p.valueStart -= keep;
      p.lineStart -= keep;
      p.lineEnd -= keep;
      p.scanFrom -= keep;
    }
  }

  // --- skipping over-long statements ----------------------------------------------

  #startSkip(from: number): void {
    this.#skipping = true;
    this.#skipOddBackslashes = false;
    this.#pos = from;
    this.#skip();
  }

  /** Discards input up to the end of the current statement; true when done. */
  #skip(): boolean {
    const buf = this.#buf;
    let i = this.#pos;
    for (;;) {
      const eol = this.#findEol(i);
      if (eol === -1) {
        // Carry the parity of the trailing backslashes into the next chunk.
        let k = buf.length - 1;
        while (k >= i && buf.charCodeAt(k) === BACKSLASH) k--;
        const run = buf.length - 1 - k;
        this.#skipOddBackslashes =
          k < i ? this.#skipOddBackslashes !== ((run & 1) === 1) : (run & 1) === 1;
        this.#pos = buf.length;
        if (this.#ended) {
          this.#skipping = false;
          return true;
        }
        return false;
      }
      let k = eol - 1;
      while (k >= i && buf.charCodeAt(k) === BACKSLASH) k--;
      const run = eol - 1 - k;
      const odd = k < i ? this.#skipOddBackslashes !== ((run & 1) === 1) : (run & 1) === 1;
      this.#skipOddBackslashes = false;
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

  #error(
    code: VarStreamErrorCode,
    reason: string,
    start: number,
    at: number,
    eol: number,
    line = this.#line,
  ): VarStreamError {
    const buf = this.#buf;
    // Column relative to the start of the physical line holding `at`.
    let lineStart = start;
    let lineNo = line;
    if (at > eol) {
      for (let i = start; i < at; i++) {
        const c = buf.charCodeAt(i);
        if (c === LF || (c === CR && buf.charCodeAt(i + 1) !== LF)) {
          lineNo++;
          lineStart = i + 1;
        }
      }
    }
    const lineEnd = Math.min(eol > at ? eol : at + 1, lineStart + 200);
    return new VarStreamError(code, reason, {
      line: lineNo,
      column: at - lineStart + 1,
      text: buf.slice(lineStart, Math.max(lineEnd, lineStart)),
    });
  }

  #fail(
    code: VarStreamErrorCode,
    reason: string,
    start: number,
    at: number,
    eol: number,
    line = this.#line,
  ): void {
    this.#report(this.#error(code, reason, start, at, eol, line));
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

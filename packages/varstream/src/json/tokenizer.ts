import { type DecodedChunk, Utf8Decoder } from '../utf8.js';
import { JsonError, type JsonErrorCode } from './errors.js';

/**
 * What the tokenizer reports, in document order. Empty containers are told
 * apart from the others with one token of lookahead, so a handler never sees
 * `open` immediately followed by `close`.
 */
export interface JsonHandler {
  /** A string, number, boolean or null value. */
  value(value: string | number | boolean | null): void;
  /** An empty object (`{}`) or array (`[]`) value. */
  empty(isArray: boolean): void;
  /** A non-empty object or array value starts: its members follow, then `close`. */
  open(isArray: boolean): void;
  /** An object key; its value follows. */
  key(key: string): void;
  /** The innermost open container ends. */
  close(isArray: boolean): void;
}

export interface JsonTokenizerOptions {
  /**
   * Longest string, key or number token, in UTF-16 code units: a longer one
   * is a `JSON_LIMIT` error (this bounds the memory one token can take).
   * Default: no limit.
   */
  maxTokenLength?: number;
}

// Parser states.
const S_VALUE = 0; // a value is expected (start, after ':', after ',' in an array)
const S_OBJ_FIRST = 1; // after '{': '"' or '}'
const S_ARR_FIRST = 2; // after '[': a value or ']'
const S_KEY = 3; // after ',' in an object: '"'
const S_COLON = 4; // after a key: ':'
const S_AFTER = 5; // after a member: ',' or the closing bracket
const S_DONE = 6; // after the root value: whitespace only
const S_STRING = 7;
const S_NUMBER = 8;
const S_LITERAL = 9;
const S_FAILED = 10;
const S_ENDED = 11;

// Number states (RFC 8259 grammar).
const N_START = 0;
const N_MINUS = 1;
const N_ZERO = 2;
const N_INT = 3;
const N_DOT = 4;
const N_FRAC = 5;
const N_EXP = 6;
const N_EXP_SIGN = 7;
const N_EXP_DIGITS = 8;

const OBJECT = 0;
const ARRAY = 1;

const LITERALS = ['true', 'false', 'null'] as const;
const LITERAL_VALUES = [true, false, null] as const;

function describe(c: number): string {
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * A streaming JSON tokenizer (RFC 8259, exactly what `JSON.parse` accepts).
 * Feed it text or UTF-8 bytes split anywhere with `write()`, then `end()`;
 * it calls the handler as each token completes and keeps only the token being
 * read (a string, key or number) and one bit per open container. Errors are
 * `JsonError`s with the line and column (UTF-16 code units) of the offending
 * character. Byte input must be UTF-8; a byte order mark at its very start is
 * ignored.
 */
export class JsonTokenizer {
  readonly #handler: JsonHandler;
  readonly #maxToken: number;
  #state = S_VALUE;
  /** Open containers, innermost last: OBJECT or ARRAY. */
  readonly #stack: number[] = [];
  #decoder: Utf8Decoder | undefined;
  #sawBytes = false;

  // Positions: absolute offsets (UTF-16 code units) in the whole text.
  #offset = 0;
  #line = 1;
  #lineStart = 0;
  #afterCR = false;
  /** Start of the token being read, or of the bracket a handler call is about. */
  #tokLine = 1;
  #tokCol = 1;
  /** Where the pending '{' or '[' is (for `open`/`empty`). */
  #openLine = 1;
  #openCol = 1;

  // The token being read.
  #isKey = false;
  #str = '';
  /** 0: none; 1: after a backslash; 2 to 5: reading the hex digits of \u. */
  #esc = 0;
  #hex = 0;
  #escPos = 0;
  #num = N_START;
  #tok = '';
  #lit = 0;
  #litPos = 0;

  constructor(handler: JsonHandler, options: JsonTokenizerOptions = {}) {
    this.#handler = handler;
    this.#maxToken = options.maxTokenLength ?? Number.POSITIVE_INFINITY;
  }

  /** Depth of the open containers. */
  get depth(): number {
    return this.#stack.length;
  }

  /** True once a whole JSON value was read. */
  get done(): boolean {
    return this.#state === S_DONE || this.#state === S_ENDED;
  }

  write(chunk: string | Uint8Array): void {
    this.#check();
    try {
      if (typeof chunk === 'string') {
        if (this.#decoder?.hasPending) this.#decoded(this.#decoder.flush());
        this.#run(chunk);
      } else {
        this.#decoder ??= new Utf8Decoder('stop');
        this.#decoded(this.#decoder.decode(chunk));
      }
    } catch (err) {
      this.#state = S_FAILED;
      throw this.#positioned(err);
    }
  }

  /** The end of the input: throws if it does not hold exactly one JSON value. */
  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined) this.write(chunk);
    this.#check();
    try {
      if (this.#decoder !== undefined) this.#decoded(this.#decoder.flush());
      if (this.#state === S_NUMBER) this.#endNumber(this.#offset);
      if (this.#state !== S_DONE) this.#unexpectedEnd();
      this.#state = S_ENDED;
    } catch (err) {
      this.#state = S_FAILED;
      throw this.#positioned(err);
    }
  }

  #check(): void {
    if (this.#state === S_FAILED) {
      throw new JsonError('JSON_STATE', 'The tokenizer stopped at an error; create a new one');
    }
    if (this.#state === S_ENDED) throw new JsonError('JSON_STATE', 'write() after end()');
  }

  #decoded(decoded: DecodedChunk): void {
    let text = decoded.text;
    if (!this.#sawBytes && text.length > 0) {
      this.#sawBytes = true;
      if (this.#offset === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#run(text);
    if (decoded.invalidAt !== -1) {
      this.#fail('JSON_BAD_UTF8', `Invalid UTF-8 at byte ${decoded.invalidAt}`, this.#offset);
    }
  }

  /** A handler error without a position gets the position of the token it is about. */
  #positioned(err: unknown): unknown {
    if (err instanceof JsonError && err.line === undefined) {
      return new JsonError(err.code, err.reason, {
        line: this.#tokLine,
        column: this.#tokCol,
        ...(err.path === undefined ? {} : { path: err.path }),
      });
    }
    return err;
  }

  /** Fails at the absolute offset `pos`, on the current line. */
  #fail(code: JsonErrorCode, reason: string, pos: number): never {
    throw new JsonError(code, reason, { line: this.#line, column: pos - this.#lineStart + 1 });
  }

  #setTok(pos: number): void {
    this.#tokLine = this.#line;
    this.#tokCol = pos - this.#lineStart + 1;
  }

  #unexpectedEnd(): never {
    const at = this.#offset;
    switch (this.#state) {
      case S_STRING:
        this.#fail(
          'JSON_UNEXPECTED_END',
          `Unterminated ${this.#isKey ? 'key' : 'string'} (it starts at line ${this.#tokLine}, column ${this.#tokCol})`,
          at,
        );
        break;
      case S_LITERAL:
        this.#fail(
          'JSON_UNEXPECTED_END',
          `Unexpected end of input in '${LITERALS[this.#lit]}'`,
          at,
        );
        break;
      case S_VALUE:
        if (this.#stack.length === 0) this.#fail('JSON_UNEXPECTED_END', 'No JSON value', at);
        break;
    }
    const open =
      this.#stack.length + (this.#state === S_OBJ_FIRST || this.#state === S_ARR_FIRST ? 1 : 0);
    this.#fail(
      'JSON_UNEXPECTED_END',
      `Unexpected end of input: ${open} unclosed ${open === 1 ? 'container' : 'containers'}`,
      at,
    );
  }

  #run(s: string): void {
    const n = s.length;
    const base = this.#offset;
    let i = 0;
    while (i < n) {
      const state = this.#state;
      if (state === S_STRING) {
        i = this.#string(s, i, base);
        continue;
      }
      if (state === S_NUMBER) {
        i = this.#number(s, i, base);
        continue;
      }
      if (state === S_LITERAL) {
        i = this.#literal(s, i, base);
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9) {
        this.#afterCR = false;
        i++;
        continue;
      }
      if (c === 10) {
        if (!this.#afterCR) this.#line++;
        this.#afterCR = false;
        this.#lineStart = base + i + 1;
        i++;
        continue;
      }
      if (c === 13) {
        this.#line++;
        this.#afterCR = true;
        this.#lineStart = base + i + 1;
        i++;
        continue;
      }
      this.#afterCR = false;
      const pos = base + i;
      switch (state) {
        case S_VALUE:
          i = this.#value(c, i, pos);
          break;
        case S_AFTER:
          this.#after(c, pos);
          i++;
          break;
        case S_KEY:
          if (c !== 34) {
            this.#fail(
              'JSON_SYNTAX',
              c === 125
                ? "Unexpected '}' after ',': trailing commas are not JSON"
                : `Unexpected character ${describe(c)}: expected a string key`,
              pos,
            );
          }
          this.#startString(true, pos);
          i++;
          break;
        case S_COLON:
          if (c !== 58) {
            this.#fail(
              'JSON_SYNTAX',
              `Unexpected character ${describe(c)}: expected ':' after a key`,
              pos,
            );
          }
          this.#state = S_VALUE;
          i++;
          break;
        case S_OBJ_FIRST:
          if (c === 125) {
            this.#tokAtOpen();
            this.#handler.empty(false);
            this.#afterValue();
          } else if (c === 34) {
            this.#tokAtOpen();
            this.#handler.open(false);
            this.#stack.push(OBJECT);
            this.#startString(true, pos);
          } else {
            this.#fail(
              'JSON_SYNTAX',
              `Unexpected character ${describe(c)}: expected a string key or '}'`,
              pos,
            );
          }
          i++;
          break;
        case S_ARR_FIRST:
          this.#tokAtOpen();
          if (c === 93) {
            this.#handler.empty(true);
            this.#afterValue();
            i++;
          } else {
            this.#handler.open(true);
            this.#stack.push(ARRAY);
            this.#state = S_VALUE;
            i = this.#value(c, i, pos);
          }
          break;
        case S_DONE:
          this.#fail('JSON_SYNTAX', `Unexpected ${describe(c)} after the JSON value`, pos);
          break;
        default:
          this.#check();
      }
    }
    this.#offset = base + n;
  }

  #tokAtOpen(): void {
    this.#tokLine = this.#openLine;
    this.#tokCol = this.#openCol;
  }

  /** A value starts with `c` at `i`; returns where to go on. */
  #value(c: number, i: number, pos: number): number {
    switch (c) {
      case 123: // {
      case 91: // [
        this.#openLine = this.#line;
        this.#openCol = pos - this.#lineStart + 1;
        this.#state = c === 123 ? S_OBJ_FIRST : S_ARR_FIRST;
        return i + 1;
      case 34: // "
        this.#startString(false, pos);
        return i + 1;
      case 116: // t
      case 102: // f
      case 110: // n
        this.#lit = c === 116 ? 0 : c === 102 ? 1 : 2;
        this.#litPos = 0;
        this.#setTok(pos);
        this.#state = S_LITERAL;
        return i;
      default:
        if (c === 45 || isDigit(c)) {
          this.#num = N_START;
          this.#tok = '';
          this.#setTok(pos);
          this.#state = S_NUMBER;
          return i;
        }
        this.#fail(
          'JSON_SYNTAX',
          c === 93 && this.#stack[this.#stack.length - 1] === ARRAY
            ? "Unexpected ']' after ',': trailing commas are not JSON"
            : `Unexpected character ${describe(c)}: expected a value`,
          pos,
        );
    }
  }

  #after(c: number, pos: number): void {
    const top = this.#stack[this.#stack.length - 1];
    if (c === 44) {
      this.#state = top === OBJECT ? S_KEY : S_VALUE;
      return;
    }
    if ((c === 125 && top === OBJECT) || (c === 93 && top === ARRAY)) {
      this.#stack.pop();
      this.#setTok(pos);
      this.#handler.close(top === ARRAY);
      this.#afterValue();
      return;
    }
    this.#fail(
      'JSON_SYNTAX',
      `Unexpected character ${describe(c)}: expected ',' or '${top === OBJECT ? '}' : ']'}'`,
      pos,
    );
  }

  #afterValue(): void {
    this.#state = this.#stack.length === 0 ? S_DONE : S_AFTER;
  }

  #startString(isKey: boolean, pos: number): void {
    this.#isKey = isKey;
    this.#str = '';
    this.#esc = 0;
    this.#setTok(pos);
    this.#state = S_STRING;
  }

  #string(s: string, i: number, base: number): number {
    const n = s.length;
    while (i < n) {
      if (this.#esc === 0) {
        const start = i;
        let c = 0;
        while (i < n) {
          c = s.charCodeAt(i);
          if (c === 34 || c === 92 || c < 32) break;
          i++;
        }
        if (i > start) {
          this.#str += s.slice(start, i);
          if (this.#str.length > this.#maxToken) this.#tooLong();
        }
        if (i >= n) return i;
        if (c === 34) {
          const str = this.#str;
          this.#str = '';
          if (this.#isKey) {
            this.#handler.key(str);
            this.#state = S_COLON;
          } else {
            this.#handler.value(str);
            this.#afterValue();
          }
          return i + 1;
        }
        if (c === 92) {
          this.#esc = 1;
          this.#escPos = base + i;
          i++;
          continue;
        }
        this.#fail(
          'JSON_BAD_STRING',
          c === 10 || c === 13
            ? 'Line break inside a string (write it as \\n or \\r)'
            : `Control character ${describe(c)} inside a string (escape it as \\u${c.toString(16).padStart(4, '0')})`,
          base + i,
        );
      }
      const c = s.charCodeAt(i);
      if (this.#esc === 1) {
        let ch: string;
        switch (c) {
          case 34:
            ch = '"';
            break;
          case 92:
            ch = '\\';
            break;
          case 47:
            ch = '/';
            break;
          case 98:
            ch = '\b';
            break;
          case 102:
            ch = '\f';
            break;
          case 110:
            ch = '\n';
            break;
          case 114:
            ch = '\r';
            break;
          case 116:
            ch = '\t';
            break;
          case 117: // u
            this.#esc = 2;
            this.#hex = 0;
            i++;
            continue;
          default:
            this.#fail(
              'JSON_BAD_ESCAPE',
              `Invalid escape \\${c < 32 ? describe(c) : String.fromCharCode(c)} in a string`,
              this.#escPos,
            );
        }
        this.#str += ch;
        this.#esc = 0;
        i++;
        continue;
      }
      const v = hexValue(c);
      if (v === -1) {
        this.#fail(
          'JSON_BAD_ESCAPE',
          'Invalid \\u escape in a string: expected 4 hexadecimal digits',
          this.#escPos,
        );
      }
      this.#hex = this.#hex * 16 + v;
      i++;
      if (++this.#esc === 6) {
        this.#str += String.fromCharCode(this.#hex);
        this.#esc = 0;
        if (this.#str.length > this.#maxToken) this.#tooLong();
      }
    }
    return i;
  }

  #tooLong(): never {
    const what = this.#state === S_NUMBER ? 'Number' : this.#isKey ? 'Key' : 'String';
    throw new JsonError(
      'JSON_LIMIT',
      `${what} longer than ${this.#maxToken} characters (maxStatementLength)`,
      { line: this.#tokLine, column: this.#tokCol },
    );
  }

  #number(s: string, i: number, base: number): number {
    const n = s.length;
    const start = i;
    let ns = this.#num;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      switch (ns) {
        case N_START:
          ns = c === 45 ? N_MINUS : c === 48 ? N_ZERO : N_INT;
          continue;
        case N_MINUS:
          if (c === 48) ns = N_ZERO;
          else if (isDigit(c)) ns = N_INT;
          else break;
          continue;
        case N_ZERO:
          if (c === 46) ns = N_DOT;
          else if (c === 101 || c === 69) ns = N_EXP;
          else if (isDigit(c)) {
            this.#fail('JSON_BAD_NUMBER', 'Leading zeros are not allowed in a number', base + i);
          } else break;
          continue;
        case N_INT:
          if (isDigit(c)) continue;
          if (c === 46) ns = N_DOT;
          else if (c === 101 || c === 69) ns = N_EXP;
          else break;
          continue;
        case N_DOT:
          if (isDigit(c)) ns = N_FRAC;
          else break;
          continue;
        case N_FRAC:
          if (isDigit(c)) continue;
          if (c === 101 || c === 69) ns = N_EXP;
          else break;
          continue;
        case N_EXP:
          if (c === 43 || c === 45) ns = N_EXP_SIGN;
          else if (isDigit(c)) ns = N_EXP_DIGITS;
          else break;
          continue;
        case N_EXP_SIGN:
          if (isDigit(c)) ns = N_EXP_DIGITS;
          else break;
          continue;
        default: // N_EXP_DIGITS
          if (isDigit(c)) continue;
      }
      break;
    }
    this.#num = ns;
    this.#tok += s.slice(start, i);
    if (this.#tok.length > this.#maxToken) this.#tooLong();
    if (i < n) this.#endNumber(base + i);
    return i;
  }

  /** The number token ends before the character at `pos` (not consumed). */
  #endNumber(pos: number): void {
    const ns = this.#num;
    if (ns !== N_ZERO && ns !== N_INT && ns !== N_FRAC && ns !== N_EXP_DIGITS) {
      const expected =
        ns === N_MINUS
          ? "a digit after '-'"
          : ns === N_DOT
            ? "a digit after '.'"
            : 'a digit in the exponent';
      this.#fail('JSON_BAD_NUMBER', `Invalid number ${this.#tok}: expected ${expected}`, pos);
    }
    const text = this.#tok;
    this.#tok = '';
    this.#handler.value(Number(text));
    this.#afterValue();
  }

  #literal(s: string, i: number, base: number): number {
    const word = LITERALS[this.#lit]!;
    const n = s.length;
    let k = this.#litPos;
    while (i < n && k < word.length) {
      if (s.charCodeAt(i) !== word.charCodeAt(k)) {
        this.#fail('JSON_SYNTAX', `Invalid literal: expected '${word}'`, base + i);
      }
      i++;
      k++;
    }
    this.#litPos = k;
    if (k === word.length) {
      this.#handler.value(LITERAL_VALUES[this.#lit]!);
      this.#afterValue();
    }
    return i;
  }
}

/**
 * The character-level state machine of 0.3.2's `VarStreamReader.read`,
 * reproduced transition for transition (comments anywhere in a left value,
 * operators only after a non-dot character, escapes, multi-line values that
 * keep their actual line breaks, the silent state after an error, ...), but
 * consuming runs of ordinary characters at once: linear in the input.
 */
import type { VarStreamErrorCode } from '../errors.js';
import type { LegacyApplier, Operator, Place } from './apply.js';
import type { LegacyContext } from './context.js';
import {
  MSG_EMPTY_LVAL,
  MSG_EMPTY_RVAL,
  MSG_NEWLINE_IN_LVAL,
  MSG_NOTHING_TO_ESCAPE,
  msgBadOperator,
  msgNoLfAfterCr,
} from './messages.js';
import { isArrayLength } from './own.js';
import type { LegacyResolver, Position, Scope } from './resolve.js';
import { typedValue } from './typed.js';

const LF = 10;
const CR = 13;
const HASH = 35;
const DOT = 46;
const EQ = 61;
const BACKSLASH = 92;

// Parse states, as in 0.3.2.
const NEWLINE = 1;
const LVAL = 2;
const OPERATOR = 3;
const RVAL = 4;
const MLSTRING = 5;
const COMMENT = 6;
const SILENT = 7;

// Escape states, as in 0.3.2 (bit flags: ALL includes LF).
const ESC_NONE = 0;
const ESC_LF = 1;
const ESC_ALL = 3;

/** `+ - * / % &`: the characters that start a compound operator. */
function isOperatorChar(code: number): boolean {
  return code === 43 || code === 45 || code === 42 || code === 47 || code === 37 || code === 38;
}

export class LegacyMachine {
  private state = NEWLINE;
  private escaped = ESC_NONE;
  private lval = '';
  /** True when the last character of `lval` is a dot. */
  private lvalDot = false;
  private op: Operator = '=';
  private rval = '';
  /** Where the lines of a multi-line value go; null to drop them. */
  private target: Place | null = null;
  /** Multi-line text not yet appended to `target`. */
  private pending = '';
  private statementLength = 0;

  // Positions: absolute offsets in UTF-16 code units since the first chunk.
  private line = 1;
  private lineStart = 0;
  private base = 0;
  private lastCr = -2;
  private statementAt: Position = { line: 1, column: 1 };
  private rvalAt: Position = { line: 1, column: 1 };

  constructor(
    private readonly ctx: LegacyContext,
    private readonly resolver: LegacyResolver,
    private readonly applier: LegacyApplier,
  ) {}

  /** Position of the next character to be fed. */
  here(): Position {
    return { line: this.line, column: this.base - this.lineStart + 1 };
  }

  feed(text: string): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      const next = this.step(text, i, c);
      if (c === LF || c === CR) this.newline(i, c);
      i = next;
    }
    this.flush();
    this.base += n;
  }

  /** Reports an error at the next character (used for bytes that are not UTF-8). */
  failHere(code: VarStreamErrorCode, reason: string): void {
    this.fail(code, reason, this.here());
  }

  private at(i: number): Position {
    return { line: this.line, column: this.base + i - this.lineStart + 1 };
  }

  private newline(i: number, c: number): void {
    const offset = this.base + i;
    if (c === CR) {
      this.line++;
      this.lastCr = offset;
    } else if (this.lastCr !== offset - 1) {
      this.line++;
    }
    this.lineStart = offset + 1;
  }

  private fail(code: VarStreamErrorCode, reason: string, at: Position): void {
    this.flush();
    this.ctx.fail(code, reason, { line: at.line, column: at.column });
  }

  /** Counts `count` more characters of the current statement; false (reported) past the limit. */
  private grow(count: number, i: number): boolean {
    this.statementLength += count;
    const max = this.ctx.limits.maxStatementLength;
    if (this.statementLength <= max) return true;
    this.fail('LIMIT_STATEMENT', `Statement longer than maxStatementLength (${max}).`, this.at(i));
    return false;
  }

  /** Processes the character at `i` (and the ordinary ones after it); returns the next index. */
  private step(s: string, i: number, c: number): number {
    if (
      c === BACKSLASH &&
      (this.state === RVAL || this.state === SILENT || this.state === MLSTRING)
    ) {
      if (this.escaped !== ESC_NONE) {
        this.escaped = ESC_NONE;
      } else {
        this.escaped = ESC_ALL;
        return i + 1;
      }
    }
    switch (this.state) {
      case NEWLINE:
        this.escaped = ESC_NONE;
        this.op = '=';
        this.lval = '';
        this.lvalDot = false;
        this.rval = '';
        if (c === LF || c === CR) return i + 1;
        this.statementAt = this.at(i);
        this.statementLength = 0;
        return this.leftValue(s, i, c);
      case LVAL:
        return this.leftValue(s, i, c);
      case OPERATOR:
        return this.operator(s, i, c);
      case RVAL:
        return this.rightValue(s, i, c);
      case MLSTRING:
        return this.multiline(s, i, c);
      default:
        return this.skip(s, i, c);
    }
  }

  private leftValue(s: string, i: number, c: number): number {
    if (c === HASH) {
      this.state = COMMENT;
      return i + 1;
    }
    if (this.lval !== '' && !this.lvalDot && isOperatorChar(c)) {
      this.state = OPERATOR;
      this.op = s.charAt(i) as Operator;
      return i + 1;
    }
    if (c === EQ) {
      this.state = RVAL;
      this.op = '=';
      this.rvalAt = this.at(i + 1);
      return i + 1;
    }
    if (c === LF || c === CR) {
      this.fail('NO_OPERATOR', MSG_NEWLINE_IN_LVAL, this.at(i));
      this.state = NEWLINE;
      return i + 1;
    }
    let dot = c === DOT;
    let j = i + 1;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === HASH || d === EQ || d === LF || d === CR || (!dot && isOperatorChar(d))) break;
      dot = d === DOT;
    }
    if (!this.grow(j - i, i)) {
      this.state = SILENT;
      return j;
    }
    this.lval += s.slice(i, j);
    this.lvalDot = dot;
    this.state = LVAL;
    return j;
  }

  private operator(s: string, i: number, c: number): number {
    if (c === EQ) {
      this.state = RVAL;
      this.rvalAt = this.at(i + 1);
      return i + 1;
    }
    this.fail('BAD_OPERATOR', msgBadOperator(this.op, s.charAt(i)), this.at(i));
    this.state = c === LF || c === CR ? NEWLINE : SILENT;
    return i + 1;
  }

  private rightValue(s: string, i: number, c: number): number {
    if (this.lval === '') {
      this.fail('EMPTY_PATH', MSG_EMPTY_LVAL, this.at(i));
      this.state = SILENT;
    }
    if (c === LF || c === CR) return this.endStatement(s, i, c);
    let prefix = '';
    if (this.escaped !== ESC_NONE) {
      if (this.escaped === ESC_ALL) {
        this.fail('BAD_ESCAPE', MSG_NOTHING_TO_ESCAPE, this.at(i - 1));
        prefix = '\\';
      }
      this.escaped = ESC_NONE;
    }
    // After an empty left value the rest of the line is skipped (the value is never used).
    if (this.state !== RVAL) return i + 1;
    let j = i + 1;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === BACKSLASH || d === LF || d === CR) break;
    }
    if (!this.grow(j - i + prefix.length, i)) {
      this.state = SILENT;
      return j;
    }
    this.rval += prefix + s.slice(i, j);
    return j;
  }

  /** The line break ending a right value: apply the statement. */
  private endStatement(s: string, i: number, c: number): number {
    if (this.op !== '=' && this.rval === '' && this.escaped === ESC_NONE) {
      this.fail('EMPTY_VALUE', MSG_EMPTY_RVAL, this.at(i));
      this.state = NEWLINE;
      return i + 1;
    }
    let ref: Scope | null = null;
    let value: string | number | boolean | null = null;
    // The right value first (a reference is resolved before the left value).
    if (this.op === '&') ref = this.resolver.resolve(this.rval, this.rvalAt);
    else value = typedValue(this.rval);
    // An empty left value was reported already; resolving it changes nothing.
    const target = this.lval === '' ? null : this.resolver.resolve(this.lval, this.statementAt);
    let place =
      target === null ? null : this.applier.apply(this.op, target, value, ref, this.statementAt);
    if (this.escaped === ESC_NONE) {
      this.state = NEWLINE;
      return i + 1;
    }
    // An escaped line break: the value goes on, on the next line.
    this.escaped = c === CR ? ESC_LF : ESC_NONE;
    if (place !== null && isArrayLength(place.root, place.prop)) {
      this.fail(
        'UNSAFE_KEY',
        'The length of an array cannot take a multi-line value.',
        this.statementAt,
      );
      place = null;
    }
    if (place === null) {
      this.state = SILENT;
      return i + 1;
    }
    this.state = MLSTRING;
    this.target = place;
    this.pending = s.charAt(i);
    return i + 1;
  }

  private multiline(s: string, i: number, c: number): number {
    if (this.escaped !== ESC_NONE) {
      if (this.escaped === ESC_ALL && c === CR) {
        this.escaped = ESC_LF;
      } else if (c === LF) {
        this.escaped = ESC_NONE;
      } else {
        if (this.escaped === ESC_LF) {
          this.fail('BAD_ESCAPE', msgNoLfAfterCr(s.charAt(i)), this.at(i));
        } else {
          this.fail('BAD_ESCAPE', MSG_NOTHING_TO_ESCAPE, this.at(i - 1));
          this.appendLine('\\', i);
        }
        this.escaped = ESC_NONE;
      }
      this.appendLine(s.charAt(i), i);
      return i + 1;
    }
    if (c === LF || c === CR) {
      this.flush();
      this.target = null;
      this.state = NEWLINE;
      return i + 1;
    }
    let j = i + 1;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === BACKSLASH || d === LF || d === CR) break;
    }
    this.appendLine(s.slice(i, j), i);
    return j;
  }

  private appendLine(text: string, i: number): void {
    if (this.target === null) return;
    if (!this.grow(text.length, i)) {
      this.target = null;
      this.pending = '';
      return;
    }
    this.pending += text;
  }

  /** Appends the pending multi-line text to the tree. */
  private flush(): void {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (this.target !== null && !this.applier.append(this.target, text, this.statementAt)) {
      this.target = null;
    }
  }

  /** COMMENT and SILENT: wait for an unescaped line break. */
  private skip(s: string, i: number, c: number): number {
    if (c === LF || c === CR) {
      if ((c === LF && !(this.escaped & ESC_LF)) || (c === CR && !(this.escaped & ESC_ALL))) {
        this.state = NEWLINE;
        return i + 1;
      }
      if (c === CR) this.escaped = ESC_LF;
      else this.escaped = ESC_NONE;
      return i + 1;
    }
    const silent = this.state === SILENT;
    let j = i + 1;
    for (; j < s.length; j++) {
      const d = s.charCodeAt(j);
      if (d === LF || d === CR || (silent && d === BACKSLASH)) break;
    }
    return j;
  }
}

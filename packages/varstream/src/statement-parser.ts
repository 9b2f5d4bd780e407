import { bareValueText } from './bare-value-text.js';
import type { Limits } from './defaults.js';
import { expandPath } from './expand-path.js';
import { type Path, ScanError, type ScannedPath, type Segment, scanPath, unquote } from './path.js';
import type { PathContext } from './path-context.js';
import { scanSpliceHead } from './splice-head.js';
import type { Operator, Statement } from './statement.js';
import type { Splice } from './text/splices.js';
import { type Literal, typeBareValue } from './value.js';

/**
 * The text a parser reads statements from: the `Reader`'s `LineBuffer`, or
 * a whole text (`readText`), with its cached search for backslashes.
 */
export interface StatementText {
  readonly text: string;
  /** Index of the next backslash at or after `from`, or -1. */
  nextBackslash(from: number): number;
}

const EQUALS = 61;
const QUOTE = 34;

/**
 * One statement's text, in a `LineBuffer`, to a `Statement`: first its
 * header (`readHeader`: the left path, the operator, and what the operator
 * reads before its value), which says where the value starts and whether it
 * is quoted; then, once the value is complete, the statement itself
 * (`build`: the value typed, `^` expanded against the context). Both throw a
 * `ScanError` at the offending character.
 */
export class StatementParser {
  // The header read last.
  op: Operator = '=';
  /** Where the value (or the reference of `&=`, or the text of `~=`) starts. */
  valueStart = 0;
  /** The value is a quoted string (it may span lines). */
  quoted = false;
  #path: ScannedPath | undefined;
  #ref: ScannedPath | undefined;
  /** `~=`: the position and deleted length read from its right side. */
  #spliceAt = 0;
  #spliceDel = 0;

  readonly #lines: StatementText;
  readonly #context: PathContext;
  readonly #maxPathDepth: number;
  readonly #maxArrayIndex: number;

  constructor(lines: StatementText, context: PathContext, limits: Limits) {
    this.#lines = lines;
    this.#context = context;
    this.#maxPathDepth = limits.maxPathDepth;
    this.#maxArrayIndex = limits.maxArrayIndex;
  }

  // --- the header ----------------------------------------------------------------------------

  /** Reads the header of the statement whose first line is `[start, eol)`. */
  readHeader(start: number, eol: number): void {
    const text = this.#lines.text;
    const path = this.#scanPath(text, start, eol);
    let valueStart = this.#operator(text, path.end, eol);
    const op = this.op;
    this.#path = path;
    this.#ref = undefined;
    if (op === '~=') valueStart = this.#spliceHead(text, valueStart, eol);
    else if (op === '&=') this.#ref = this.#reference(text, valueStart, eol);
    this.valueStart = valueStart;
    this.quoted = op !== '&=' && valueStart < eol && text.charCodeAt(valueStart) === QUOTE;
  }

  /** Reads the operator at `p`; returns where its right side starts. */
  #operator(text: string, p: number, eol: number): number {
    if (p >= eol) throw new ScanError('NO_OPERATOR', 'Missing operator', p);
    const c = text.charCodeAt(p);
    if (c === EQUALS) {
      this.op = '=';
      return p + 1;
    }
    if (p + 1 >= eol || text.charCodeAt(p + 1) !== EQUALS) {
      throw new ScanError('BAD_OPERATOR', `Expected "=" after "${text[p]}"`, p + 1);
    }
    this.op = `${text[p]}=` as Operator;
    return p + 2;
  }

  /** `~=position,deleted[,text]`: returns where the text starts. */
  #spliceHead(text: string, from: number, eol: number): number {
    const head = scanSpliceHead(text, from, eol);
    if (typeof head === 'number') {
      throw new ScanError(
        'BAD_SPLICE',
        'Expected "~=position,deleted[,text]" (decimal numbers)',
        head,
      );
    }
    this.#spliceAt = head.at;
    this.#spliceDel = head.del;
    return head.textStart;
  }

  /** The right side of `&=`: a path that fills the rest of the line. */
  #reference(text: string, from: number, eol: number): ScannedPath {
    if (from >= eol) throw new ScanError('EMPTY_VALUE', 'Missing reference after "&="', from);
    const ref = this.#scanPath(text, from, eol);
    if (ref.end !== eol) {
      throw new ScanError('BAD_SEGMENT', 'Illegal character in a reference path', ref.end);
    }
    return ref;
  }

  #scanPath(text: string, from: number, eol: number): ScannedPath {
    return scanPath(text, from, eol, this.#maxPathDepth, this.#maxArrayIndex);
  }

  // --- the statement -------------------------------------------------------------------------

  /**
   * The statement whose header was read, starting at `start` on line `line`
   * and ending at `end`; `lineEnds` holds the (end, next start) pairs of the
   * continued lines of a bare value. Sets the context's previous path.
   */
  build(start: number, end: number, lineEnds: readonly number[], line: number): Statement {
    const op = this.op;
    if (op === '&=') {
      const ref = this.#expand(this.#ref!, start);
      this.#context.previous = ref as Segment[];
      return this.#statement(start, undefined, ref, line);
    }
    if (op === '~=') {
      const text = this.quoted ? this.#quotedText(end) : this.#bareText(end, lineEnds);
      const splice: Splice = { at: this.#spliceAt, del: this.#spliceDel, text };
      const path = this.#expand(this.#path!, start);
      this.#context.previous = path as Segment[];
      return { op, path, value: undefined, ref: undefined, splice, line };
    }
    return this.#statement(start, this.#value(end, lineEnds), undefined, line);
  }

  /** The statement with its left path expanded, which becomes the context's previous path. */
  #statement(
    start: number,
    value: Literal | undefined,
    ref: Path | undefined,
    line: number,
  ): Statement {
    const path = this.#expand(this.#path!, start);
    this.#context.previous = path as Segment[];
    return { op: this.op, path, value, ref, line };
  }

  /** The value of `=` and the arithmetic operators: undefined for an empty `=` (a delete). */
  #value(end: number, lineEnds: readonly number[]): Literal | undefined {
    if (this.quoted) return this.#quotedText(end);
    if (this.valueStart === end) {
      if (this.op === '=') return undefined;
      throw new ScanError('EMPTY_VALUE', `Missing value after "${this.op}"`, this.valueStart);
    }
    return typeBareValue(this.#bareText(end, lineEnds));
  }

  #quotedText(end: number): string {
    const from = this.valueStart + 1;
    return unquote(this.#lines.text.slice(from, end - 1), from, true);
  }

  /** The text of a bare value, escapes and continuation lines resolved, not typed. */
  #bareText(end: number, lineEnds: readonly number[]): string {
    const lines = this.#lines;
    const start = this.valueStart;
    const bs = lines.nextBackslash(start);
    if (bs === -1 || bs >= end) return lines.text.slice(start, end);
    return bareValueText(lines.text, start, end, lineEnds);
  }

  #expand(scanned: ScannedPath, start: number): Path {
    return expandPath(scanned, this.#context.previous, this.#maxPathDepth, start);
  }

  /** Compaction dropped `by` characters before the statement being read. */
  shift(by: number): void {
    this.valueStart -= by;
  }
}

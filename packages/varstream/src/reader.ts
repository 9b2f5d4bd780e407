import { type Limits, resolveLimits } from './defaults.js';
import { ErrorReporter } from './error-reporter.js';
import { VarStreamError } from './errors.js';
import { LineBuffer } from './line-buffer.js';
import { PathContext } from './path-context.js';
import { Recovery } from './recovery.js';
import type { Entry, Statement } from './statement.js';
import { COMPLETE, StatementAssembler } from './statement-assembler.js';
import { StatementParser } from './statement-parser.js';

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

/**
 * Incremental VarStream reader. Feed it text or UTF-8 bytes split anywhere
 * with `write()`, call `end()` after the last chunk, and pull statements with
 * `read()` (or iterate). Each statement is returned as soon as its last line
 * is complete, with `^` expanded, before anything is applied anywhere.
 *
 * The work is split at its seams: a `LineBuffer` holds the unread text (at
 * most about one statement) and its line breaks; a `StatementAssembler`
 * finds where each statement ends (multi-line values, quotes split across
 * chunks); a `StatementParser` turns one statement's text into a
 * `Statement`; `Recovery` says where reading resumes after a bad statement,
 * and an `ErrorReporter` where errors go. Every character is looked at a
 * bounded number of times, however the input is cut.
 */
export class Reader implements Iterable<Entry> {
  readonly context: PathContext;
  readonly limits: Limits;
  readonly #errors: ErrorReporter;
  readonly #lines: LineBuffer;
  readonly #parser: StatementParser;
  readonly #statements: StatementAssembler;

  static {
    readerInternals.position = (reader) => reader.#lines.pos;
    readerInternals.seek = (reader, pos, line) => {
      const lines = reader.#lines;
      if (!reader.#statements.idle || lines.awaitsLF || pos < lines.pos) {
        throw new Error('Reader: seek() only moves forward between statements');
      }
      lines.pos = pos;
      lines.line = line;
    };
  }

  constructor(options: ReaderOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.context = options.context ?? new PathContext();
    const errors = new ErrorReporter(options.strict === true, options.onError);
    const lines = new LineBuffer(errors);
    const parser = new StatementParser(lines, this.context, this.limits);
    this.#errors = errors;
    this.#lines = lines;
    this.#parser = parser;
    this.#statements = new StatementAssembler(
      lines,
      parser,
      new Recovery(lines),
      errors,
      this.limits.maxStatementLength,
      options.comments === true,
    );
  }

  /** True once `end()` was called and everything was read. */
  get done(): boolean {
    const lines = this.#lines;
    return lines.ended && !this.#statements.pending && lines.pos >= lines.text.length;
  }

  /** 1-based line number of the next unread character. */
  get line(): number {
    return this.#lines.line;
  }

  write(chunk: string | Uint8Array): void {
    if (this.#lines.ended) throw new VarStreamError('STREAM_STATE', 'write() after end()');
    const dropped = this.#lines.write(chunk, this.#statements.keepFrom);
    if (dropped > 0) this.#statements.shift(dropped);
  }

  end(chunk?: string | Uint8Array): void {
    if (chunk !== undefined) this.write(chunk);
    if (!this.#lines.ended) this.#lines.end();
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
    const error = this.#errors.take();
    if (error !== undefined) throw error;
    return entry;
  }

  #next(): Entry | null {
    for (;;) {
      const found = this.#statements.next();
      if (found !== COMPLETE) return found;
      const statement = this.#build();
      if (statement !== undefined) return statement;
    }
  }

  /** The statement the assembler completed; undefined after an error (reported). */
  #build(): Statement | undefined {
    const span = this.#statements;
    try {
      return this.#parser.build(span.start, span.end, span.lineEnds, span.line);
    } catch (err) {
      this.#errors.scanFailed(err, this.#lines.text, span.start, span.firstEol, span.line);
      return undefined;
    }
  }
}

/**
 * Lives as long as the module: it keeps the hidden classes of `Reader` and of
 * its limits, and so the optimized code that depends on them, alive between
 * two readers (else every garbage collection in between throws that code away).
 * @internal
 */
export const keepAlive = new Reader();

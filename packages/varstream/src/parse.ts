import { type Limits, resolveLimits } from './defaults.js';
import { VarStreamError } from './errors.js';
import { FastParser } from './fast-parse.js';
import { legacyParse } from './legacy/index.js';
import { PathContext } from './path-context.js';
import { Reader, readerInternals } from './reader.js';
import { Tree } from './tree.js';

export interface ParseOptions {
  /**
   * Skip a bad statement instead of throwing; each error goes to `onError`
   * when given. Default: false, the first error throws (as `JSON.parse`
   * does), unless an `onError` is passed. Legacy mode is always tolerant
   * unless `strict`, as 0.3.2.
   */
  tolerant?: boolean;
  /** Throw the first error even when an `onError` is given (legacy mode: throw instead of skipping). */
  strict?: boolean;
  /** Read exactly as varstream 0.3.2 does (see docs/LEGACY.md). */
  legacy?: boolean;
  /** Overrides of `defaults`. */
  limits?: Partial<Limits>;
  /** Receives every error of a tolerant parse; the statement it concerns is skipped. Implies `tolerant`. */
  onError?: (error: VarStreamError) => void;
}

/**
 * A semantic error (the statement is well formed but cannot apply) located
 * for `parse()`'s callers: the whole statement is at fault, and it starts at
 * column 1 of its line.
 */
export function atStatementStart(err: unknown): unknown {
  if (!(err instanceof VarStreamError) || err.line === undefined || err.column !== undefined) {
    return err;
  }
  return new VarStreamError(err.code, err.reason, {
    line: err.line,
    column: 1,
    ...(err.text === undefined ? {} : { text: err.text }),
    ...(err.path === undefined ? {} : { path: err.path }),
  });
}

/**
 * Whether a default-mode parse throws its first error: unless it was asked to
 * be tolerant (`tolerant: true`, or an `onError` to report to), and always
 * with `strict: true`.
 */
export function throwsFirstError(options: ParseOptions): boolean {
  if (options.strict === true) return true;
  return options.tolerant !== true && options.onError === undefined;
}

/**
 * Parses VarStream text into a value, like `JSON.parse`. An empty text gives
 * `{}`. The first bad statement throws a `VarStreamError` with its code, line
 * and column; with `tolerant: true` (or an `onError`) bad statements are
 * skipped and reported to `onError` instead. `legacy: true` reads as 0.3.2
 * does, tolerant unless `strict`.
 *
 * The statements of the common shape go through `FastParser`; each other one
 * (and every error) goes through the general `Reader` + `Tree`, with the same
 * results.
 */
export function parse(text: string, options: ParseOptions = {}): unknown {
  if (options.legacy === true) return legacyParse(text, options);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark is not text
  const limits = resolveLimits(options.limits);
  const fast = new FastParser(text, limits);
  let general: GeneralPath | undefined;
  for (;;) {
    fast.run();
    if (fast.done) break;
    general ??= new GeneralPath(text, limits, options);
    if (!general.step(fast)) break;
  }
  return fast.root === undefined ? {} : fast.root;
}

/** `Reader` + `Tree` on the same text, taking over from the fast path one statement at a time. */
class GeneralPath {
  readonly #context = new PathContext();
  readonly #reader: Reader;
  readonly #tree: Tree;
  readonly #strict: boolean;
  readonly #onError: ((error: VarStreamError) => void) | undefined;

  constructor(text: string, limits: Limits, options: ParseOptions) {
    this.#strict = throwsFirstError(options);
    this.#onError = options.onError;
    this.#reader = new Reader({
      strict: this.#strict,
      limits,
      ...(this.#onError === undefined ? {} : { onError: this.#onError }),
      context: this.#context,
    });
    this.#tree = new Tree(undefined, { limits });
    this.#reader.end(text);
  }

  /**
   * Reads and applies the statement where the fast path stopped (after any
   * error, comment or blank line before it), then hands back. False at the end.
   */
  step(fast: FastParser): boolean {
    const reader = this.#reader;
    const tree = this.#tree;
    const context = this.#context;
    tree.root = fast.root;
    tree.nodesCreated = fast.nodesCreated;
    context.previous = fast.previous;
    readerInternals.seek(reader, fast.pos, fast.line);
    const entry = reader.read();
    if (entry !== null && entry.op !== '#') {
      try {
        tree.applyQuiet(entry, context);
      } catch (caught) {
        const err = atStatementStart(caught);
        if (this.#strict) throw err;
        this.#onError?.(err as VarStreamError);
      }
    }
    const pos = readerInternals.position(reader);
    fast.resume(pos, reader.line, tree.root, tree.nodesCreated, context.previous);
    return entry !== null;
  }
}

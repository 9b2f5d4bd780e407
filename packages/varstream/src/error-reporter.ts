import { VarStreamError, type VarStreamErrorCode } from './errors.js';
import { ScanError } from './path.js';
import { statementError } from './statement-error.js';

/**
 * Where a `Reader`'s errors go. Strict: the first one is held, and thrown by
 * `read()` once the bad statement is consumed (bad bytes throw at once, from
 * `write()`). Tolerant: each goes to `onError`; with nobody listening no
 * error object is built at all.
 */
export class ErrorReporter {
  readonly strict: boolean;
  readonly #onError: ((error: VarStreamError) => void) | undefined;
  /** Strict mode: the error to throw once the bad statement is consumed. */
  #held: VarStreamError | undefined;

  constructor(strict: boolean, onError: ((error: VarStreamError) => void) | undefined) {
    this.strict = strict;
    this.#onError = onError;
  }

  /** Strict mode: an error waits to be thrown; reading stops until it is taken. */
  get holding(): boolean {
    return this.#held !== undefined;
  }

  /** The held error, if any, now handed over. */
  take(): VarStreamError | undefined {
    const error = this.#held;
    this.#held = undefined;
    return error;
  }

  /**
   * An error in the statement that starts at `start` of `text` (its first
   * line, numbered `line`, ends at `eol`), located at `at`.
   */
  fail(
    text: string,
    code: VarStreamErrorCode,
    reason: string,
    start: number,
    at: number,
    eol: number,
    line: number,
  ): void {
    // Tolerant with nobody listening: an error object would only be thrown away.
    if (!this.strict && this.#onError === undefined) return;
    this.report(statementError(text, code, reason, start, at, eol, line));
  }

  /** `fail` for what a scan threw; anything but a `ScanError` is a bug and goes on up. */
  scanFailed(err: unknown, text: string, start: number, eol: number, line: number): void {
    if (!(err instanceof ScanError)) throw err;
    this.fail(text, err.code, err.reason, start, err.pos, eol, line);
  }

  /** Invalid UTF-8 at byte `at` of the input: thrown at once in strict mode (it reads as U+FFFD). */
  invalidUtf8(at: number): void {
    const error = new VarStreamError('BAD_UTF8', `Invalid UTF-8 at byte ${at} of the input`);
    if (this.strict) throw error;
    this.report(error);
  }

  report(error: VarStreamError): void {
    if (this.strict) this.#held ??= error;
    else this.#onError?.(error);
  }
}

/**
 * The errors of the compat API: 0.3.2's own classes (`Error` or
 * `SyntaxError`) with 0.3.2's message, word for word and nothing appended,
 * so that code matching on `err.message`, `instanceof SyntaxError` or
 * `String(err)` keeps working. What the codec knows more (`code`, `line`,
 * `column`, `path`) is in properties, and the original `VarStreamError` is
 * the `cause`.
 */
import { VarStreamError, type VarStreamErrorCode } from '../errors.js';

/** The properties every compat error carries, whatever its class. */
export interface CompatErrorFields {
  readonly code: VarStreamErrorCode;
  /** 1-based line of the offending character (reading only). */
  readonly line: number | undefined;
  /** 1-based column, in UTF-16 code units (reading only). */
  readonly column: number | undefined;
  /** The path concerned (writing: the value that could not be written). */
  readonly path: string | undefined;
  /** Same as `message`: 0.3.2's text. */
  readonly reason: string;
  readonly cause: VarStreamError;
}

/** A compat error 0.3.2 throws as an `Error`. */
export class VarStreamCompatError extends Error implements CompatErrorFields {
  readonly code: VarStreamErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: string | undefined;
  readonly reason: string;
  override readonly cause: VarStreamError;

  constructor(error: VarStreamError) {
    super(error.reason, { cause: error });
    this.code = error.code;
    this.line = error.line;
    this.column = error.column;
    this.path = error.path;
    this.reason = error.reason;
    this.cause = error;
  }
}

/** A compat error 0.3.2 throws as a `SyntaxError`. */
export class VarStreamCompatSyntaxError extends SyntaxError implements CompatErrorFields {
  readonly code: VarStreamErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: string | undefined;
  readonly reason: string;
  override readonly cause: VarStreamError;

  constructor(error: VarStreamError) {
    super(error.reason, { cause: error });
    this.code = error.code;
    this.line = error.line;
    this.column = error.column;
    this.path = error.path;
    this.reason = error.reason;
    this.cause = error;
  }
}

export type CompatError = VarStreamCompatError | VarStreamCompatSyntaxError;

/**
 * The codes 0.3.2 throws as a `SyntaxError`; every other one is an `Error`
 * (0.3.2's `Error`s, and the codec's own errors, which 0.3.2 does not have).
 * `BAD_ESCAPE` is an `Error` in a value's first line and a `SyntaxError` in
 * its continuation lines in 0.3.2; it is an `Error` here in both.
 */
const SYNTAX_ERROR_CODES: ReadonlySet<VarStreamErrorCode> = new Set<VarStreamErrorCode>([
  'EMPTY_PATH',
  'BAD_SEGMENT',
  'BACKREF_RANGE',
  'NO_OPERATOR',
  'BAD_OPERATOR',
  'EMPTY_VALUE',
]);

/** The `LF after an escaped CR` error is a `SyntaxError` in 0.3.2, though its code is `BAD_ESCAPE`. */
const NO_LF_AFTER_CR = 'Assuming a LF after an escaped CR';

function isSyntaxError(error: VarStreamError): boolean {
  return SYNTAX_ERROR_CODES.has(error.code) || error.reason.startsWith(NO_LF_AFTER_CR);
}

/** `error` as the compat API throws it; anything but a `VarStreamError` is returned as is. */
export function toCompatError(error: unknown): unknown {
  if (!(error instanceof VarStreamError)) return error;
  return isSyntaxError(error)
    ? new VarStreamCompatSyntaxError(error)
    : new VarStreamCompatError(error);
}

/** Runs `fn`, rethrowing a `VarStreamError` as a compat error. */
export function compatCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw toCompatError(error);
  }
}

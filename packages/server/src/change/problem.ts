import { formatMeta, isRejectCode, type RejectCode, Verb } from '@varstream/protocol';
import {
  isVarStreamError,
  type VarStreamError,
  type VarStreamErrorCode,
} from '@varstream/varstream';
import { ServerError } from '../errors.js';

/** Why a change (or a frame, or a presence line) was refused: what its author is told. */
export interface Problem {
  /** The protocol's (PROTOCOL.md 3.3) or the codec's. */
  readonly code: RejectCode | VarStreamErrorCode;
  readonly message: string;
  /** 1-based line in the frame (undefined: the whole change). */
  readonly line: number | undefined;
  readonly column: number | undefined;
}

/**
 * A problem with the error it was thrown as, or would be (made only when
 * read): server-side writes throw or return it.
 */
export interface ThrownProblem extends Problem {
  readonly error: VarStreamError | ServerError;
}

/** Longest message sent in a `#vs reject` / `#vs error` line, in characters. */
const MAX_MESSAGE = 200;

/**
 * The problem of an error thrown while reading or applying a statement at
 * `line`. Anything but a codec error or a server error with a reject code is
 * a bug: thrown again.
 */
export function problemOf(err: unknown, line: number | undefined): ThrownProblem {
  if (isVarStreamError(err)) {
    return {
      code: err.code,
      message: err.reason,
      line: err.line ?? line,
      column: err.column,
      error: err,
    };
  }
  if (err instanceof ServerError && isRejectCode(err.code)) {
    return {
      code: err.code,
      message: err.message,
      line: err.line ?? line,
      column: err.column,
      error: err,
    };
  }
  throw err;
}

/**
 * The line that tells a client its change `id` was refused (`#vs reject`),
 * or, for a change without id, that something it sent was (`#vs error`).
 */
export function problemLine(problem: Problem, id: string | undefined): string {
  const fields = {
    code: problem.code,
    line: problem.line,
    column: problem.column,
    message: clip(problem.message),
  };
  return id === undefined
    ? formatMeta(Verb.ERROR, fields)
    : formatMeta(Verb.REJECT, { id, ...fields });
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

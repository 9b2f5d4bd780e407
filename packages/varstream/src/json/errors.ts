import { VarStreamError } from '../errors.js';

/**
 * Errors of the JSON side (the streaming JSON tokenizer and the JSON writer).
 * Like `VarStreamError`, each has a stable string `code` (match on it, never
 * on the message), a 1-based `line` and a 1-based `column` in UTF-16 code
 * units when a position applies.
 */
export type JsonErrorCode =
  /** A character that cannot appear here (including data after the value, trailing commas). */
  | 'JSON_SYNTAX'
  /** The input ended inside a value (or held no value at all). */
  | 'JSON_UNEXPECTED_END'
  /** A number that is not RFC 8259 syntax (`01`, `1.`, `-`, `.5`, `1e`). */
  | 'JSON_BAD_NUMBER'
  /** An unescaped control character (U+0000 to U+001F) inside a string. */
  | 'JSON_BAD_STRING'
  /** An escape other than `\" \\ \/ \b \f \n \r \t \uXXXX`. */
  | 'JSON_BAD_ESCAPE'
  /** Bytes that are not UTF-8. */
  | 'JSON_BAD_UTF8'
  /** The VarStream output would exceed a reader limit (depth, statement length, array index). */
  | 'JSON_LIMIT'
  /** A value JSON cannot represent (shared or circular references), when writing JSON. */
  | 'JSON_UNSUPPORTED'
  /** `write()` after `end()`, or after an error. */
  | 'JSON_STATE';

export interface JsonErrorDetails {
  line?: number;
  column?: number;
  /** The path concerned, in VarStream syntax. */
  path?: string;
}

/** A `VarStreamError` raised by the JSON side, with a `JSON_*` code. */
export class JsonError extends VarStreamError {
  override readonly name: string = 'JsonError';
  declare readonly code: JsonErrorCode;

  constructor(code: JsonErrorCode, reason: string, details: JsonErrorDetails = {}) {
    super(code, reason, details);
  }
}

export function isJsonError(value: unknown): value is JsonError {
  return value instanceof JsonError;
}

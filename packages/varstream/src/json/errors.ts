import { VarStreamError, type VarStreamErrorCode } from '../errors.js';

/**
 * Errors of the JSON side (the streaming JSON tokenizer and the JSON writer).
 * Like `VarStreamError`, each has a stable string `code` (match on it, never
 * on the message), a 1-based `line` and a 1-based `column` in UTF-16 code
 * units when a position applies.
 */
export type JsonErrorCode = Extract<VarStreamErrorCode, `JSON_${string}`>;

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

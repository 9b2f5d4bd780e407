/**
 * Every error the codec raises is a `VarStreamError` with a stable string `code`.
 * Codes are part of the public API: match on `err.code`, never on the message.
 */
export type VarStreamErrorCode =
  // syntax: the text is not VarStream
  | 'EMPTY_PATH'
  | 'EMPTY_SEGMENT'
  | 'BAD_SEGMENT'
  | 'BAD_BACKREF'
  | 'BACKREF_RANGE'
  | 'NO_OPERATOR'
  | 'BAD_OPERATOR'
  | 'EMPTY_VALUE'
  | 'BAD_ESCAPE'
  | 'BAD_QUOTE'
  | 'BAD_UTF8'
  /** A `~=` right side that is not `at,del[,text]` (decimal numbers). */
  | 'BAD_SPLICE'
  // semantics: the statement is well formed but cannot apply to this tree
  | 'REF_NOT_FOUND'
  | 'NO_LAST'
  | 'TYPE_MISMATCH'
  /** A `~=` that reaches past the end of the string or splits a character (a surrogate pair). */
  | 'SPLICE_RANGE'
  | 'UNSAFE_KEY'
  // limits: see `defaults`
  | 'LIMIT_STATEMENT'
  | 'LIMIT_DEPTH'
  | 'LIMIT_INDEX'
  | 'LIMIT_GAP'
  | 'LIMIT_NODES'
  | 'LIMIT_STRING'
  // writing
  | 'UNSUPPORTED_VALUE'
  | 'ROOT_NOT_CONTAINER'
  // streams
  | 'STREAM_STATE'
  // JSON conversion (JsonError, a VarStreamError)
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

export interface VarStreamErrorDetails {
  /** 1-based line where the offending statement starts. */
  line?: number;
  /** 1-based column (in UTF-16 code units) of the offending character (`parse()`: 1 for a semantic error, the whole statement). */
  column?: number;
  /** The offending text, cut to 120 characters. */
  text?: string;
  /** The path concerned, in VarStream syntax (semantic errors and writer errors). */
  path?: string;
}

const MAX_TEXT = 120;

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

export class VarStreamError extends Error {
  override readonly name: string = 'VarStreamError';
  readonly code: VarStreamErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly text: string | undefined;
  readonly path: string | undefined;
  /** The message without the position suffix. */
  readonly reason: string;

  constructor(code: VarStreamErrorCode, reason: string, details: VarStreamErrorDetails = {}) {
    const text = details.text === undefined ? undefined : clip(details.text);
    let where = '';
    if (details.line !== undefined) {
      where = ` at line ${details.line}`;
      if (details.column !== undefined) where += `, column ${details.column}`;
    }
    if (details.path !== undefined) where += `${where ? ',' : ' at'} path ${clip(details.path)}`;
    super(`${reason}${where}${text === undefined ? '' : `: ${JSON.stringify(text)}`}`);
    this.code = code;
    this.reason = reason;
    this.line = details.line;
    this.column = details.column;
    this.text = text;
    this.path = details.path;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      line: this.line,
      column: this.column,
      text: this.text,
      path: this.path,
    };
  }
}

export function isVarStreamError(value: unknown): value is VarStreamError {
  return value instanceof VarStreamError;
}

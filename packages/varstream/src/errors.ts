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
  // semantics: the statement is well formed but cannot apply to this tree
  | 'REF_NOT_FOUND'
  | 'NO_LAST'
  | 'TYPE_MISMATCH'
  | 'UNSAFE_KEY'
  // limits: see `defaults`
  | 'LIMIT_STATEMENT'
  | 'LIMIT_DEPTH'
  | 'LIMIT_INDEX'
  | 'LIMIT_GAP'
  | 'LIMIT_NODES'
  // writing
  | 'UNSUPPORTED_VALUE'
  | 'ROOT_NOT_CONTAINER'
  // streams
  | 'STREAM_STATE'
  // JSON conversion (JsonError, a VarStreamError)
  | 'JSON_SYNTAX'
  | 'JSON_UNEXPECTED_END'
  | 'JSON_BAD_NUMBER'
  | 'JSON_BAD_STRING'
  | 'JSON_BAD_ESCAPE'
  | 'JSON_BAD_UTF8'
  | 'JSON_LIMIT'
  | 'JSON_UNSUPPORTED'
  | 'JSON_STATE';

export interface VarStreamErrorDetails {
  /** 1-based line where the offending statement starts. */
  line?: number;
  /** 1-based column (in UTF-16 code units) of the offending character. */
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

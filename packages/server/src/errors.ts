import type { RejectCode } from '@varstream/protocol';

/**
 * Every error this package raises or reports is a `ServerError` with a stable
 * string `code`. Codes that reach clients (in `#vs reject` / `#vs error`) are
 * the protocol's table (`RejectCodes` of `@varstream/protocol`, PROTOCOL.md
 * section 3.3) but for the codes only a client writes; the codec's own codes
 * (`BAD_SEGMENT`, `LIMIT_DEPTH`, ...) travel unchanged next to them.
 */
export type ServerErrorCode =
  // change rejections (sent to clients)
  | Exclude<RejectCode, 'REJECTED' | 'SERVER_ERROR'>
  // operating the server
  | 'BAD_OPTION'
  | 'BAD_DOC_NAME'
  | 'JOURNAL_CORRUPT'
  | 'SNAPSHOT_CORRUPT'
  | 'INIT_FAILED'
  /** `dataDir` cannot be created, is not a directory, or cannot be written. */
  | 'DATA_DIR';

export interface ServerErrorDetails {
  /** 1-based line in the frame (or file) concerned. */
  line?: number;
  /** 1-based column in that line. */
  column?: number;
  cause?: unknown;
}

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: ServerErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(code: ServerErrorCode, message: string, details: ServerErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.line = details.line;
    this.column = details.column;
  }
}

export function isServerError(value: unknown): value is ServerError {
  return value instanceof ServerError;
}

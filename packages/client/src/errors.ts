import type { RejectCode } from '@varstream/protocol';
import type { VarStreamErrorCode } from '@varstream/varstream';

/**
 * The code of a rejection or of a server's `#vs error`: one of the protocol's
 * table (`RejectCode` of `@varstream/protocol`, PROTOCOL.md 3.3), one of the
 * codec's (`VarStreamErrorCode`), or one a newer server added.
 */
export type RejectionCode = RejectCode | VarStreamErrorCode | (string & Record<never, never>);

/**
 * Every error the client raises or reports is a `ClientError` with a stable
 * string `code`: the codec's codes (`TYPE_MISMATCH`, `BAD_SEGMENT`...), the
 * server's rejection codes (`FORBIDDEN`, `RATE_LIMITED`...) or the client's own.
 */
export type ClientErrorCode =
  | RejectionCode
  /** A path or pattern that does not parse. */
  | 'BAD_PATH'
  /** A URL that is not a document's (`ws://`, `wss://`, `http://`, `https://`). */
  | 'BAD_URL'
  /** A value that VarStream cannot hold (function, symbol, bigint, cycle...). */
  | 'UNSUPPORTED_VALUE'
  /** A listener that is not a function, or an event the document does not emit. */
  | 'BAD_ARGUMENT'
  /** No WebSocket constructor: pass `options.WebSocket` (in Node, `ws`'s). */
  | 'NO_WEBSOCKET'
  /** The document was closed, by `close()` or by a fatal close code. */
  | 'CLOSED'
  /** The server sent something this client cannot follow; it resynchronises. */
  | 'PROTOCOL'
  /** The persisted state could not be read or written. */
  | 'STORAGE'
  /** A subscriber threw. */
  | 'SUBSCRIBER';

export interface ClientErrorDetails {
  /** The change id concerned (rejections). */
  id?: string;
  /** 1-based line and column inside the change (server rejections, codec errors). */
  line?: number | undefined;
  column?: number | undefined;
  /** WebSocket close code (fatal closes). */
  closeCode?: number;
  cause?: unknown;
}

export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly code: ClientErrorCode;
  readonly id: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly closeCode: number | undefined;

  constructor(code: ClientErrorCode, message: string, details: ClientErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.id = details.id;
    this.line = details.line;
    this.column = details.column;
    this.closeCode = details.closeCode;
  }
}

/** Wraps any thrown value (a codec `VarStreamError` keeps its code) as a ClientError. */
export function toClientError(err: unknown, fallback: ClientErrorCode = 'PROTOCOL'): ClientError {
  if (err instanceof ClientError) return err;
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; line?: unknown; column?: unknown };
    const code = typeof e.code === 'string' ? e.code : fallback;
    return new ClientError(code, e.message, {
      line: typeof e.line === 'number' ? e.line : undefined,
      column: typeof e.column === 'number' ? e.column : undefined,
      cause: err,
    });
  }
  return new ClientError(fallback, String(err));
}

/**
 * The codes of `#vs reject` and `#vs error` lines (PROTOCOL.md 3.3), each
 * with its meaning: the one table both ends use. A line's `code` is one of
 * these or one of the codec's own codes (`BAD_SEGMENT`, `TYPE_MISMATCH`,
 * ... `VarStreamErrorCode` of `@varstream/varstream`), which travel
 * unchanged. Match on the code, never on the message.
 */
export const RejectCodes = {
  FORBIDDEN: 'the connection may not write there (read-only, or outside its scope)',
  UNSAFE_KEY:
    'a path or reference uses a key refused everywhere (by default `__proto__`, `constructor`, `prototype`)',
  FRAME_TOO_LARGE: 'more bytes than `maxFrameBytes`',
  TOO_MANY_LINES: 'more lines than `maxLinesPerFrame`',
  DOC_TOO_LARGE: 'the document would exceed `maxDocumentBytes`',
  TREE_TOO_DEEP: '`&=` would put values deeper than `maxTreeDepth` allows',
  REF_REPLACED:
    'an `&=` refers to a container inside the array its own path replaces with an object: no reader could follow it',
  BUSY: 'the change needs work the server cannot afford now (`measureBytesPerSecond`): send it again later, same id',
  RATE_LIMITED: 'more changes per second than `maxChangesPerSecond`',
  BAD_META: 'a malformed `#vs` line',
  PRESENCE_TOO_LARGE: 'a `#vs presence` line above `maxPresenceBytes` (answered with `#vs error`)',
  SERVER_FULL: 'the server memory budget is reached: the change would grow the document',
  SPLICE_STALE: "a splice's `base` is older than the text history kept: send it again",
  UNAVAILABLE:
    'a server on Redis could not store the change: nothing of it was applied; keep it pending and send it again',
  STORAGE_FAILED:
    'the document cannot be written to disk: nothing of the change was applied (the connection is closed with 4500)',
  CLOSED:
    'the document was closing when the change arrived: nothing of it was applied; send it again after reconnecting',
  REJECTED: 'client-side: a `#vs reject` line that named no code',
  SERVER_ERROR: 'client-side: a `#vs error` line that named no code',
} as const;

/** A code of the table (`'FORBIDDEN'`, `'RATE_LIMITED'`, ...). */
export type RejectCode = keyof typeof RejectCodes;

/** True when `value` is a code of the table. */
export function isRejectCode(value: unknown): value is RejectCode {
  return typeof value === 'string' && Object.hasOwn(RejectCodes, value);
}

/** The rejection code of a splice based on a revision older than the server's text history: send it again. */
export const SPLICE_STALE = 'SPLICE_STALE' satisfies RejectCode;

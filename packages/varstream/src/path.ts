import { VarStreamError, type VarStreamErrorCode } from './errors.js';

/**
 * One step of a path. A string is an object key, a number >= 0 an array
 * index, and the three negative constants are the dynamic array segments.
 */
export type Segment = string | number;

/** `+`: the slot after the last element (append). */
export const APPEND = -1;
/** `*`: the last element. */
export const LAST = -2;
/** `!`: empty the array, then its first slot. */
export const RESET = -3;

export type Path = readonly Segment[];

/**
 * True when `key` can be written without quotes and still reads back as this
 * object key: `[A-Za-z0-9_]+`, not all digits (that would be an index).
 */
export function isBareKey(key: string): boolean {
  let digits = true;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return false;
    digits = false;
  }
  return !digits;
}

/** Writes a string as a double-quoted VarStream string (JSON string syntax). */
export function quote(text: string): string {
  return JSON.stringify(text);
}

export function formatSegment(segment: Segment): string {
  if (typeof segment === 'string') return isBareKey(segment) ? segment : quote(segment);
  if (segment >= 0) return String(segment);
  if (segment === APPEND) return '+';
  if (segment === LAST) return '*';
  if (segment === RESET) return '!';
  throw new VarStreamError('BAD_SEGMENT', `Invalid path segment ${segment}`);
}

/**
 * Writes a path in VarStream syntax. The empty path (the root) is `^0`.
 */
export function formatPath(path: Path): string {
  if (path.length === 0) return '^0';
  let out = formatSegment(path[0]!);
  for (let i = 1; i < path.length; i++) out += `.${formatSegment(path[i]!)}`;
  return out;
}

/** Bare backward reference: the previous path minus its last segment. */
export const BACK_PARENT = -2;
/** No backward reference: the path is absolute. */
export const BACK_NONE = -1;

export interface ScannedPath {
  /** BACK_NONE, BACK_PARENT (`^`), or N >= 0 for `^N`. */
  back: number;
  segments: Segment[];
  /** Index just past the path in the scanned text. */
  end: number;
}

/** Thrown by the scanners; the reader turns it into a VarStreamError with a line and column. */
export class ScanError {
  constructor(
    readonly code: VarStreamErrorCode,
    readonly reason: string,
    readonly pos: number,
  ) {}
}

/** A character of a bare key: `[A-Za-z0-9_]`. */
export function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 48 && c <= 57) || // 0-9
    c === 95 // _
  );
}

/** Characters that end a path: `.` separates, the others start an operator. */
function endsSegment(c: number): boolean {
  return (
    c === 46 || // .
    c === 61 || // =
    c === 43 || // +
    c === 45 || // -
    c === 42 || // *
    c === 47 || // /
    c === 37 || // %
    c === 38 || // &
    c === 126 // ~
  );
}

/**
 * Finds the end of a double-quoted string starting at `start` (the opening
 * quote) within `[start, end)`, looking at quotes from `from` on (a resumed
 * search). Returns the index of the closing quote, or -1.
 */
export function findClosingQuote(
  text: string,
  start: number,
  end: number,
  from = start + 1,
): number {
  let i = from;
  while (i < end) {
    const q = text.indexOf('"', i);
    if (q === -1 || q >= end) return -1;
    let backslashes = 0;
    for (let j = q - 1; j > start && text.charCodeAt(j) === 92; j--) backslashes++;
    if ((backslashes & 1) === 0) return q;
    i = q + 1;
  }
  return -1;
}

/**
 * Decodes the inside of a quoted string (JSON escapes). `raw` excludes the
 * quotes. Raw line breaks (LF, CRLF, CR) are allowed when `multiline` and mean
 * `\n`; raw tabs are allowed. Throws a ScanError positioned at `offset` + index.
 */
export function unquote(raw: string, offset: number, multiline: boolean): string {
  if (raw.indexOf('\\') === -1 && !/[\u0000-\u001f]/.test(raw)) return raw;
  let body = raw;
  if (/[\n\r\t]/.test(body)) {
    if (!multiline && /[\n\r]/.test(body)) {
      const at = body.search(/[\n\r]/);
      throw new ScanError('BAD_QUOTE', 'Line break inside a quoted key', offset + at);
    }
    body = body.replace(/\r\n?|\n/g, '\\n').replace(/\t/g, '\\t');
  }
  try {
    return JSON.parse(`"${body}"`) as string;
  } catch {
    // Find the first offending character to report a useful column.
    for (let i = 0; i < raw.length; i++) {
      const c = raw.charCodeAt(i);
      if (c === 92) {
        const n = raw.charCodeAt(i + 1);
        if (n === 117) {
          if (!/^[0-9A-Fa-f]{4}$/.test(raw.slice(i + 2, i + 6))) {
            throw new ScanError('BAD_ESCAPE', 'Invalid \\u escape in a quoted string', offset + i);
          }
          i += 5;
        } else if ('"\\/bfnrt'.indexOf(raw[i + 1] ?? '') === -1) {
          throw new ScanError('BAD_ESCAPE', 'Invalid escape in a quoted string', offset + i);
        } else {
          i++;
        }
      } else if (c < 32 && c !== 9 && c !== 10 && c !== 13) {
        throw new ScanError('BAD_QUOTE', 'Control character inside a quoted string', offset + i);
      }
    }
    throw new ScanError('BAD_QUOTE', 'Invalid quoted string', offset);
  }
}

/**
 * Scans a path at `pos` in `text`, up to `end` or to the first character that
 * starts an operator. Validates every segment. Does not expand `^`.
 */
export function scanPath(
  text: string,
  pos: number,
  end: number,
  maxDepth: number,
  maxIndex: number,
): ScannedPath {
  const segments: Segment[] = [];
  let back = BACK_NONE;
  let i = pos;
  if (i < end && text.charCodeAt(i) === 94 /* ^ */) {
    let j = i + 1;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (c < 48 || c > 57) break;
      j++;
    }
    if (j < end && !endsSegment(text.charCodeAt(j))) {
      throw new ScanError('BAD_BACKREF', 'Malformed backward reference', i);
    }
    if (j === i + 1) back = BACK_PARENT;
    else {
      if (j - i - 1 > 9) throw new ScanError('LIMIT_DEPTH', 'Backward reference too deep', i);
      back = Number(text.slice(i + 1, j));
    }
    i = j;
    if (i >= end || text.charCodeAt(i) !== 46 /* . */) return { back, segments, end: i };
    i++; // the dot after the backward reference
  }
  for (;;) {
    if (segments.length >= maxDepth) {
      throw new ScanError('LIMIT_DEPTH', `Path deeper than ${maxDepth} segments`, i);
    }
    if (i >= end) {
      throw new ScanError(
        segments.length === 0 && back === BACK_NONE ? 'EMPTY_PATH' : 'EMPTY_SEGMENT',
        segments.length === 0 && back === BACK_NONE ? 'Missing path' : 'Empty path segment',
        i,
      );
    }
    const c = text.charCodeAt(i);
    let next: number;
    if (c === 34 /* " */) {
      const close = findClosingQuote(text, i, end);
      if (close === -1) throw new ScanError('BAD_QUOTE', 'Unterminated quoted key', i);
      segments.push(unquote(text.slice(i + 1, close), i + 1, false));
      next = close + 1;
    } else if (isKeyChar(c)) {
      let j = i + 1;
      let digits = c >= 48 && c <= 57;
      while (j < end) {
        const d = text.charCodeAt(j);
        if (!isKeyChar(d)) break;
        if (digits && (d < 48 || d > 57)) digits = false;
        j++;
      }
      if (digits) {
        if (j - i > 15) throw new ScanError('LIMIT_INDEX', `Array index above ${maxIndex}`, i);
        const index = Number(text.slice(i, j));
        if (index > maxIndex)
          throw new ScanError('LIMIT_INDEX', `Array index above ${maxIndex}`, i);
        segments.push(index);
      } else {
        segments.push(text.slice(i, j));
      }
      next = j;
    } else if (c === 43 /* + */ || c === 42 /* * */ || c === 33 /* ! */) {
      const d = i + 1 < end ? text.charCodeAt(i + 1) : 46;
      // `+` or `*` directly followed by `=` is an operator (`a+=1`); as a
      // segment it must stand alone between dots or before an operator.
      if (d !== 46 && !endsSegment(d)) {
        throw new ScanError('BAD_SEGMENT', 'Illegal character in a path segment', i + 1);
      }
      segments.push(c === 43 ? APPEND : c === 42 ? LAST : RESET);
      next = i + 1;
    } else if (c === 46 /* . */ || endsSegment(c)) {
      throw new ScanError(
        segments.length === 0 && back === BACK_NONE && c !== 46 ? 'EMPTY_PATH' : 'EMPTY_SEGMENT',
        segments.length === 0 && back === BACK_NONE && c !== 46
          ? 'Missing path'
          : 'Empty path segment',
        i,
      );
    } else if (c === 94 /* ^ */) {
      throw new ScanError('BAD_BACKREF', 'A backward reference can only start a path', i);
    } else {
      throw new ScanError('BAD_SEGMENT', 'Illegal character in a path segment', i);
    }
    if (next >= end) return { back, segments, end: next };
    const n = text.charCodeAt(next);
    if (n === 46 /* . */) {
      i = next + 1;
      continue;
    }
    if (endsSegment(n)) return { back, segments, end: next };
    throw new ScanError(
      c === 34 ? 'BAD_QUOTE' : 'BAD_SEGMENT',
      c === 34 ? 'Unexpected character after a quoted key' : 'Illegal character in a path segment',
      next,
    );
  }
}

/**
 * Parses a standalone path such as `form.firstname`, `list.0`, `"a b".c` or
 * `^0` (the root). Backward references other than `^0` are refused: a
 * standalone path has no previous statement.
 */
export function parsePath(text: string, maxDepth = Number.POSITIVE_INFINITY): Segment[] {
  try {
    const scanned = scanPath(text, 0, text.length, maxDepth, Number.MAX_SAFE_INTEGER);
    if (scanned.end !== text.length) {
      throw new ScanError('BAD_SEGMENT', 'Illegal character in a path', scanned.end);
    }
    if (scanned.back === BACK_NONE) return scanned.segments;
    if (scanned.back === 0) return scanned.segments;
    throw new ScanError('BAD_BACKREF', 'Only ^0 (the root) can start a standalone path', 0);
  } catch (err) {
    if (err instanceof ScanError) {
      throw new VarStreamError(err.code, err.reason, { column: err.pos + 1, text });
    }
    throw err;
  }
}

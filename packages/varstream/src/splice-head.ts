/** The position, the deleted length, and where the inserted text starts, of a `~=` right side. */
export interface SpliceHead {
  readonly at: number;
  readonly del: number;
  readonly textStart: number;
}

/** Longest number in a splice (15 digits stay exact in a double). */
const MAX_DIGITS = 15;

/**
 * Reads `at,del` and the optional `,` before the text of a `~=` right side
 * in `text[start, eol)`. Returns the head, or the index of the offending
 * character (a number) when it is malformed.
 */
export function scanSpliceHead(text: string, start: number, eol: number): SpliceHead | number {
  const at = scanNumber(text, start, eol);
  if (at.end === start || at.end - start > MAX_DIGITS) return at.end;
  if (at.end >= eol || text.charCodeAt(at.end) !== 44 /* , */) return at.end;
  const delStart = at.end + 1;
  const del = scanNumber(text, delStart, eol);
  if (del.end === delStart || del.end - delStart > MAX_DIGITS) return del.end;
  if (del.end === eol) return { at: at.value, del: del.value, textStart: eol };
  if (text.charCodeAt(del.end) !== 44) return del.end;
  return { at: at.value, del: del.value, textStart: del.end + 1 };
}

function scanNumber(text: string, start: number, eol: number): { value: number; end: number } {
  let value = 0;
  let i = start;
  while (i < eol) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
    i++;
  }
  return { value, end: i };
}

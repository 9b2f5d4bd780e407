const LF = 10;
const CR = 13;

/**
 * Lines in a UTF-8 frame, as a VarStream reader counts them: LF, CRLF and a
 * lone CR each end a line; a last line without a break counts too. Stops
 * counting past `max` (the answer is then `max + 1`).
 */
export function countLines(data: Uint8Array, max: number): number {
  const buffer = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.length);
  const n = buffer.length;
  if (n === 0) return 0;
  let lines = 0;
  let pos = 0;
  for (;;) {
    const lf = buffer.indexOf(LF, pos);
    if (lf === -1) break;
    lines++;
    if (lines > max) return lines;
    pos = lf + 1;
  }
  // Lone CRs (not followed by LF) end lines too.
  for (let cr = buffer.indexOf(CR); cr !== -1; cr = buffer.indexOf(CR, cr + 1)) {
    if (cr + 1 >= n || buffer[cr + 1] !== LF) {
      lines++;
      if (lines > max) return lines;
    }
  }
  const last = buffer[n - 1];
  if (last !== LF && last !== CR) lines++;
  return lines;
}

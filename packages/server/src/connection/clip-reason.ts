/** The longest close reason, in UTF-8 bytes (RFC 6455 5.5: 125 bytes of payload, 2 of them the code). */
const MAX_REASON_BYTES = 123;
const ELLIPSIS = '…';
const ELLIPSIS_BYTES = 3;

/**
 * `reason` cut to what a close frame can carry, at a character boundary,
 * with `…` when cut. `ws` throws on a longer reason, so every reason that
 * may hold client input (a query value, a hello field) goes through this.
 * Reads at most the characters that fit, whatever the length of `reason`.
 */
export function clipReason(reason: string): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8.
  if (reason.length * 3 <= MAX_REASON_BYTES) return reason;
  let bytes = 0;
  let cut = -1; // where the text before `…` ends, once the ellipsis no longer fits
  let at = 0;
  for (const char of reason) {
    bytes += Buffer.byteLength(char);
    if (cut < 0 && bytes > MAX_REASON_BYTES - ELLIPSIS_BYTES) cut = at;
    if (bytes > MAX_REASON_BYTES) return `${reason.slice(0, cut)}${ELLIPSIS}`;
    at += char.length;
  }
  return reason;
}

const SECTION = /^#vs (?:snapshot|change)(?: rev=([0-9]+))?/gm;

/**
 * The revision a plain client holds after a frame, read the simplest way:
 * each `#vs snapshot` or `#vs change` line is a revision, its `rev` when it
 * says it, else the one after the previous line's (compact section heads,
 * PROTOCOL.md 3.2).
 */
export function revisionAfter(frame: string, rev: number): number {
  let last = rev;
  for (const m of frame.matchAll(SECTION)) last = m[1] === undefined ? last + 1 : Number(m[1]);
  return last;
}

import { changeIdOf, parseMeta } from '@varstream/protocol';

/** Ids answered when a whole frame is refused unread. */
const MAX_REFUSED_IDS = 1_000;
const CHANGE_LINE = /^#vs change [^\r\n]*/gm;
const COUNTED_LINE = /^#vs (?:change|presence)(?: |$)/gm;

/**
 * The ids of a frame's `#vs change` lines (at most MAX_REFUSED_IDS), read
 * without applying anything: `id=`, or `s=` with `client`, the hello's.
 */
export function changeIdsOf(text: string, client: string | undefined): string[] {
  const ids: string[] = [];
  CHANGE_LINE.lastIndex = 0;
  for (let m = CHANGE_LINE.exec(text); m !== null; m = CHANGE_LINE.exec(text)) {
    const fields = parseMeta(m[0])?.fields;
    const named = fields === undefined ? undefined : changeIdOf(fields, client);
    const id = named === undefined || 'error' in named ? undefined : named.id;
    if (id !== undefined) ids.push(id);
    if (ids.length >= MAX_REFUSED_IDS) break;
  }
  return ids;
}

/** What the rate limit counts in a frame: its changes and presence updates (at least one). */
export function rateLimitedUnits(text: string): number {
  COUNTED_LINE.lastIndex = 0;
  let count = 0;
  while (COUNTED_LINE.exec(text) !== null) count++;
  return Math.max(1, count);
}

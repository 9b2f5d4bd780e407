import { diffText, type TextChange } from '../view/text-diff.js';

export { diffText, type TextChange };

/**
 * Where an offset (caret, selection end) goes after a change: unchanged
 * before it, shifted by the length difference after it, and to the end of the
 * inserted text when it was inside the replaced part. Text inserted exactly at
 * the offset stays after it.
 */
export function moveOffset(offset: number, change: TextChange): number {
  if (offset <= change.start) return offset;
  if (offset >= change.start + change.removed) return offset + change.inserted - change.removed;
  return change.start + change.inserted;
}

/** The text appended when `after` only extends `before`, else undefined. */
export function appendedText(before: string, after: string): string | undefined {
  return after.length > before.length && after.startsWith(before)
    ? after.slice(before.length)
    : undefined;
}

/** True when `after` replaces all of `before` (nothing kept): a `=`, not a splice. */
export function replacesAll(before: string, after: string): boolean {
  const { start, removed } = diffText(before, after);
  return before.length > 0 && start === 0 && removed === before.length;
}

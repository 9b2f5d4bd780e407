import type { TextComponent } from '@varstream/varstream';

/** One replacement turning `before` into `after`: `removed` characters at `start` became `inserted`. */
export interface TextChange {
  readonly start: number;
  readonly removed: number;
  readonly inserted: number;
}

/**
 * The smallest single replacement from `before` to `after` (common prefix and
 * suffix kept) that never cuts a character in two: "a😀" → "a😃" share the
 * first UTF-16 unit of the emoji, but the whole emoji is replaced (a splice
 * inside a surrogate pair is refused).
 */
export function diffText(before: string, after: string): TextChange {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
  let end = 0;
  while (
    end < max - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  if (end > 0 && isLowSurrogate(before.charCodeAt(before.length - end))) end--;
  return { start, removed: before.length - start - end, inserted: after.length - start - end };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

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

/** The text operation of the smallest single replacement from `before` to `after`. */
export function diffOp(before: string, after: string): TextComponent[] {
  const { start, removed, inserted } = diffText(before, after);
  const op: TextComponent[] = [];
  if (start > 0 && (removed > 0 || inserted > 0)) op.push(start);
  if (inserted > 0) op.push(after.slice(start, start + inserted));
  if (removed > 0) op.push({ d: removed });
  return op;
}

/** True when `after` replaces all of `before` (nothing kept): a `=`, not a splice. */
export function replacesAll(before: string, after: string): boolean {
  const { start, removed } = diffText(before, after);
  return before.length > 0 && start === 0 && removed === before.length;
}

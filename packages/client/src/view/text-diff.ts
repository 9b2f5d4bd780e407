import { splitsCharacter, type TextComponent } from '@varstream/varstream';

/** One replacement turning `before` into `after`: `removed` characters at `start` became `inserted`. */
export interface TextChange {
  readonly start: number;
  readonly removed: number;
  readonly inserted: number;
}

/**
 * The smallest single replacement from `before` to `after` (common prefix and
 * suffix kept) that never cuts a character in two (`splitsCharacter`, the
 * rule a splice is refused by): "a😀" → "a😃" share the first UTF-16 unit of
 * the emoji, but the whole emoji is replaced. Cost: O(length of the strings).
 */
export function diffText(before: string, after: string): TextChange {
  const most = Math.min(before.length, after.length);
  let start = 0;
  while (start < most && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  while (splitsCharacter(before, start) || splitsCharacter(after, start)) start--;
  let end = 0;
  while (
    end < most - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) {
    end++;
  }
  while (
    end > 0 &&
    (splitsCharacter(before, before.length - end) || splitsCharacter(after, after.length - end))
  ) {
    end--;
  }
  return { start, removed: before.length - start - end, inserted: after.length - start - end };
}

/**
 * The text operation of `diffText`: the common beginning and end kept, the
 * middle replaced (one delete, one insert); empty when the strings are equal.
 * Also used where the operations in between are not known (a snapshot): what
 * the client typed outside the changed middle keeps its place.
 */
export function textDiff(before: string, after: string): TextComponent[] {
  const { start, removed, inserted } = diffText(before, after);
  if (removed === 0 && inserted === 0) return [];
  const op: TextComponent[] = [];
  if (start > 0) op.push(start);
  if (inserted > 0) op.push(after.slice(start, start + inserted));
  if (removed > 0) op.push({ d: removed });
  return op;
}

import { splitsCharacter, type TextComponent } from '@varstream/varstream';

/**
 * A text operation turning `before` into `after`: their common beginning and
 * end kept, the middle replaced (one delete, one insert; never inside a
 * surrogate pair). Used where the operations in between are not known (a
 * snapshot): what the client typed outside the changed middle keeps its place.
 * Cost: O(length of the strings), as the snapshot that brings `after`.
 */
export function textDiff(before: string, after: string): TextComponent[] {
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
  const removed = before.length - end - start;
  const inserted = after.slice(start, after.length - end);
  if (removed === 0 && inserted.length === 0) return [];
  const op: TextComponent[] = [];
  if (start > 0) op.push(start);
  if (inserted.length > 0) op.push(inserted);
  if (removed > 0) op.push({ d: removed });
  return op;
}

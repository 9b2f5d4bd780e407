import { applyTextOp } from '@varstream/varstream';
import { describe, expect, it } from 'vitest';
import { textDiff } from '../../src/view/text-diff.js';

describe('textDiff (a snapshot string against the one before it)', () => {
  it.each([
    ['', '', []],
    ['abc', 'abc', []],
    ['', 'ab', ['ab']],
    ['abcdefgh', 'gh', [{ d: 6 }]],
    ['abcd', 'aXYd', [1, 'XY', { d: 2 }]],
    ['abc', 'abcX', [3, 'X']],
  ])('%j to %j keeps the common beginning and end', (before, after, op) => {
    expect(textDiff(before, after)).toEqual(op);
    expect(applyTextOp(before, textDiff(before, after))).toBe(after);
  });

  it('never cuts a surrogate pair (the common half of two emoji is not kept apart)', () => {
    const before = 'a\u{1F600}b'; // 😀: \ud83d\ude00
    const after = 'a\u{1F601}b'; // 😁: \ud83d\ude01, same high half
    const op = textDiff(before, after);
    expect(op).toEqual([1, '\u{1F601}', { d: 2 }]);
    expect(applyTextOp(before, op)).toBe(after);
  });

  it('never cuts a surrogate pair at the common end either (the same low half)', () => {
    const before = 'a\u{1F600}'; // \ud83d\ude00
    const after = 'a\u{1F000}'; // \ud83c\ude00
    const op = textDiff(before, after);
    expect(op).toEqual([1, '\u{1F000}', { d: 2 }]);
    expect(applyTextOp(before, op)).toBe(after);
  });
});

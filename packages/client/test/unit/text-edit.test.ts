import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendedText, diffText, moveOffset } from '../../src/dom/text-edit.js';

describe('text edits', () => {
  it('find the single replacement between two texts', () => {
    expect(diffText('Hello', 'Hello!')).toEqual({ start: 5, removed: 0, inserted: 1 });
    expect(diffText('Hello', 'Oh, Hello')).toEqual({ start: 0, removed: 0, inserted: 4 });
    expect(diffText('abc', 'aXc')).toEqual({ start: 1, removed: 1, inserted: 1 });
    expect(diffText('aaa', 'aa')).toEqual({ start: 2, removed: 1, inserted: 0 });
  });

  it('move offsets by what changed before them', () => {
    const insertBefore = diffText('Hello world', 'Oh, Hello world');
    expect(moveOffset(6, insertBefore)).toBe(10);
    const appendAfter = diffText('Hello world', 'Hello world!');
    expect(moveOffset(6, appendAfter)).toBe(6);
    expect(moveOffset(11, appendAfter)).toBe(11); // inserted at the caret: stays after it
    const replaced = diffText('Hello world', 'Hello there');
    expect(moveOffset(8, replaced)).toBe(11); // inside the replaced part: to its end
  });

  it('the diff rebuilds the new text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const { start, removed, inserted } = diffText(a, b);
        expect(
          a.slice(0, start) + b.slice(start, start + inserted) + a.slice(start + removed),
        ).toBe(b);
      }),
    );
  });

  it('regression: the diff never cuts an emoji in two ("a😀" → "a😃" was a splice at 2, refused: "Position 2 splits a character")', () => {
    expect(diffText('a😀b', 'a😃b')).toEqual({ start: 1, removed: 2, inserted: 2 });
    expect(diffText('😀x', '🙂x')).toEqual({ start: 0, removed: 2, inserted: 2 });
    const splits = (text: string, at: number) =>
      at > 0 && at < text.length && /[\uDC00-\uDFFF]/.test(text[at]!);
    const emoji = fc.constantFrom('a', '😀', '😃', '🙂', '👍', '🏽', 'é');
    const text = fc.array(emoji).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const { start, removed, inserted } = diffText(a, b);
        expect(splits(a, start) || splits(a, start + removed)).toBe(false);
        expect(splits(b, start) || splits(b, start + inserted)).toBe(false);
      }),
    );
  });

  it('detect appends', () => {
    expect(appendedText('ab', 'abc')).toBe('c');
    expect(appendedText('ab', 'ab')).toBeUndefined();
    expect(appendedText('ab', 'xabc')).toBeUndefined();
  });
});

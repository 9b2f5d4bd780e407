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

  it('detect appends', () => {
    expect(appendedText('ab', 'abc')).toBe('c');
    expect(appendedText('ab', 'ab')).toBeUndefined();
    expect(appendedText('ab', 'xabc')).toBeUndefined();
  });
});

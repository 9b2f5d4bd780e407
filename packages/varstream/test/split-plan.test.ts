import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BoundaryKind,
  classifyOffsets,
  EVERY_OFFSET_UP_TO,
  randomChunkings,
  splitOffsets,
} from './support/split-plan.js';

const large = readFileSync(new URL('./fixtures/boundaries.vs', import.meta.url));
const largeBytes = new Uint8Array(large);
const largeText = large.toString('utf8');

function kindsAt(input: Uint8Array | string, at: number): BoundaryKind[] {
  return [...classifyOffsets(input)].filter(([, list]) => list.includes(at)).map(([k]) => k);
}

describe('split plan (the sampling the split tests rely on)', () => {
  it('names the boundary kinds of a small text', () => {
    const text = 'a="x\\"y"\r\nb=é\n#c\n';
    expect(kindsAt(text, 3)).toContain('quote-mark'); // a=" | x
    expect(kindsAt(text, 4)).toContain('quoted'); // inside "x...
    expect(kindsAt(text, 5)).toContain('escape'); // \ | "
    expect(kindsAt(text, 9)).toContain('crlf'); // \r | \n
    expect(kindsAt(text, 10)).toContain('statement'); // \n | b
    expect(kindsAt(text, 11)).toContain('operator'); // b | =
    expect(kindsAt(text, 16)).toContain('comment'); // # | c
    const bytes = new TextEncoder().encode(text);
    expect(kindsAt(bytes, 13)).toContain('multi-unit'); // inside é
    expect(kindsAt('x\u{1F600}y', 2)).toContain('multi-unit'); // between the surrogates
  });

  it('samples every kind of boundary a large input has, bytes and UTF-16', () => {
    for (const input of [largeBytes, largeText]) {
      expect(input.length).toBeGreaterThan(EVERY_OFFSET_UP_TO);
      const chosen = new Set(splitOffsets(input));
      expect(chosen.size).toBeLessThan(input.length / 10);
      const kinds = classifyOffsets(input);
      expect([...kinds.keys()].sort()).toEqual(
        [
          'comment',
          'crlf',
          'escape',
          'line-end',
          'multi-unit',
          'operator',
          'other',
          'path-dot',
          'quote-mark',
          'quoted',
          'statement',
        ].sort(),
      );
      for (const [kind, offsets] of kinds) {
        expect(
          offsets.filter((at) => chosen.has(at)).length,
          `${kind} sampled`,
        ).toBeGreaterThanOrEqual(Math.min(offsets.length, 12));
      }
      expect(chosen.has(0) && chosen.has(input.length)).toBe(true);
    }
  });

  it('splits a small input at every offset', () => {
    const text = 'a=1\nb=2\n';
    expect(splitOffsets(text)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('is the same for the same seed, and another for another seed', () => {
    expect(splitOffsets(largeText)).toEqual(splitOffsets(largeText));
    expect(splitOffsets(largeText, { seed: 1 })).not.toEqual(splitOffsets(largeText, { seed: 2 }));
    expect(randomChunkings(largeBytes)).toEqual(randomChunkings(largeBytes));
  });

  it('cuts into many chunks: sorted inner offsets, fine and coarse sizes', () => {
    const chunkings = randomChunkings(largeBytes, { count: 4, maxSize: 100 });
    expect(chunkings).toHaveLength(4);
    for (const [k, offsets] of chunkings.entries()) {
      const largest = k % 2 === 0 ? 8 : 100;
      let from = 0;
      for (const at of offsets) {
        expect(at - from).toBeGreaterThanOrEqual(1);
        expect(at - from).toBeLessThanOrEqual(largest);
        from = at;
      }
      expect(from).toBeLessThan(largeBytes.length);
      expect(offsets.length).toBeGreaterThan(largeBytes.length / (largest + 1) / 2);
    }
  });
});

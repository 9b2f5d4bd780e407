import { describe, expect, it } from 'vitest';
import { allFixtures, readChunks, summary } from './helpers.js';
import { cut, pieces } from './support/fixtures.js';
import { randomChunkings, splitOffsets } from './support/split-plan.js';

const decoder = new TextDecoder();

describe('streaming reader: every fixture split anywhere gives the same result', () => {
  for (const { name, bytes } of allFixtures()) {
    const whole = summary(readChunks([bytes]));

    it(`${name}: split at every boundary kind (every byte offset when small)`, () => {
      for (const at of splitOffsets(bytes)) {
        expect(summary(readChunks(cut(bytes, [at]))), `byte ${at}`).toEqual(whole);
      }
    });

    it(`${name}: split at every boundary kind, as strings (every UTF-16 offset when small)`, () => {
      const text = decoder.decode(bytes);
      expect(summary(readChunks([text]))).toEqual(whole);
      for (const at of splitOffsets(text)) {
        expect(summary(readChunks(cut(text, [at]))), `unit ${at}`).toEqual(whole);
      }
    });

    it(`${name}: one byte at a time, and many chunks of random sizes`, () => {
      expect(summary(readChunks(pieces(bytes, 1)))).toEqual(whole);
      for (const offsets of randomChunkings(bytes)) {
        expect(summary(readChunks(cut(bytes, offsets))), `bytes at ${offsets}`).toEqual(whole);
      }
      const text = decoder.decode(bytes);
      for (const offsets of randomChunkings(text, { count: 4 })) {
        expect(summary(readChunks(cut(text, offsets))), `units at ${offsets}`).toEqual(whole);
      }
    });
  }
});

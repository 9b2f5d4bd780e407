import { describe, expect, it } from 'vitest';
import { allFixtures, readChunks, summary } from './helpers.js';

const decoder = new TextDecoder();

describe('streaming reader: every fixture split anywhere gives the same result', () => {
  for (const { name, bytes } of allFixtures()) {
    const whole = summary(readChunks([bytes]));

    it(`${name}: split at every byte offset`, () => {
      for (let i = 0; i <= bytes.length; i++) {
        expect(summary(readChunks([bytes.subarray(0, i), bytes.subarray(i)]))).toEqual(whole);
      }
    });

    it(`${name}: split at every UTF-16 offset, as strings`, () => {
      const text = decoder.decode(bytes);
      expect(summary(readChunks([text]))).toEqual(whole);
      // ASCII texts split exactly as their bytes (tested above): every 5th offset is enough.
      const stride = text.length === bytes.length && text.length > 4096 ? 5 : 1;
      for (let i = 0; i <= text.length; i += stride) {
        expect(summary(readChunks([text.slice(0, i), text.slice(i)]))).toEqual(whole);
      }
    });

    it(`${name}: one byte at a time, and three-way splits`, () => {
      const ones: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i++) ones.push(bytes.subarray(i, i + 1));
      expect(summary(readChunks(ones))).toEqual(whole);
      const step = Math.max(1, Math.floor(bytes.length / 40));
      for (let i = 0; i <= bytes.length; i += step) {
        for (let j = i; j <= bytes.length; j += step) {
          expect(
            summary(readChunks([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)])),
          ).toEqual(whole);
        }
      }
    });
  }
});

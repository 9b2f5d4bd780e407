import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstInvalid, Utf8Decoder } from '../src/utf8.js';

/** Bytes biased towards UTF-8 lead, continuation and invalid bytes. */
const bytes = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.integer({ min: 0x80, max: 0xbf }),
      fc.constantFrom(0xc0, 0xc3, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
    ),
    { maxLength: 24 },
  )
  .map((list) => Uint8Array.from(list));

/** Decodes `input` cut at `cuts`, as a reader fed in chunks does. */
function decodeInChunks(mode: 'stop' | 'replace', input: Uint8Array, cuts: number[]) {
  const decoder = new Utf8Decoder(mode);
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  let text = '';
  const invalidAt = -1;
  let from = 0;
  for (const to of [...points, input.length]) {
    const out = decoder.decode(input.subarray(from, to));
    from = to;
    text += out.text;
    if (out.invalidAt !== -1) return { text, invalidAt: out.invalidAt };
  }
  const rest = decoder.flush();
  return { text: text + rest.text, invalidAt: rest.invalidAt === -1 ? invalidAt : rest.invalidAt };
}

describe('Utf8Decoder (one decoder for the Reader and the JSON tokenizer)', () => {
  const whatwg = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  it('replace: decodes chunks as TextDecoder decodes the whole, and finds the first invalid byte', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 4 }), (input, cuts) => {
        const whole = whatwg.decode(input);
        const decoder = new Utf8Decoder('replace');
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        let text = '';
        let firstAt = -1;
        let from = 0;
        for (const to of [...points, input.length]) {
          const out = decoder.decode(input.subarray(from, to));
          from = to;
          text += out.text;
          if (firstAt === -1) firstAt = out.invalidAt;
        }
        const rest = decoder.flush();
        text += rest.text;
        if (firstAt === -1) firstAt = rest.invalidAt;
        expect(text).toBe(whole);
        const invalid = firstInvalid(input);
        expect(firstAt).toBe(invalid === input.length ? -1 : invalid);
      }),
      { numRuns: 500 },
    );
  });

  it('stop: gives the text before the first invalid byte, and its offset', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 4 }), (input, cuts) => {
        const invalid = firstInvalid(input);
        const { text, invalidAt } = decodeInChunks('stop', input, cuts);
        expect(invalidAt).toBe(invalid === input.length ? -1 : invalid);
        expect(text).toBe(whatwg.decode(input.subarray(0, invalid)));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a character split across chunks whole', () => {
    const decoder = new Utf8Decoder('stop');
    const euro = new TextEncoder().encode('€');
    expect(decoder.decode(euro.subarray(0, 1))).toEqual({ text: '', invalidAt: -1, replaced: [] });
    expect(decoder.hasPending).toBe(true);
    expect(decoder.decode(euro.subarray(1))).toEqual({ text: '€', invalidAt: -1, replaced: [] });
    expect(decoder.flush()).toEqual({ text: '', invalidAt: -1, replaced: [] });
  });

  it('reports an incomplete character at the end of the input', () => {
    const decoder = new Utf8Decoder('replace');
    expect(decoder.decode(Uint8Array.of(0x61, 0xe2, 0x82))).toMatchObject({
      text: 'a',
      invalidAt: -1,
    });
    expect(decoder.flush()).toMatchObject({ text: '\ufffd', invalidAt: 1 });
  });

  it('decodes each chunk as the WHATWG streaming decoder does (only a valid incomplete character waits)', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
        const stream = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
        const decoder = new Utf8Decoder('replace');
        let from = 0;
        for (const to of [...cutPoints(input, cuts), input.length]) {
          const chunk = input.subarray(from, to);
          from = to;
          expect(decoder.decode(chunk).text).toBe(stream.decode(chunk, { stream: true }));
        }
        expect(decoder.flush().text).toBe(stream.decode());
      }),
      { numRuns: 1000 },
    );
  });

  it('an invalid sequence cut by a chunk boundary is reported in the chunk where it shows', () => {
    const decoder = new Utf8Decoder('replace');
    // E0 80 can start no character: it is not kept for the next chunk.
    expect(decoder.decode(Uint8Array.of(0x61, 0xe0, 0x80))).toEqual({
      text: 'a\ufffd\ufffd',
      invalidAt: 1,
      replaced: [],
    });
    expect(decoder.hasPending).toBe(false);
    // E0 A0 may: it waits.
    expect(decoder.decode(Uint8Array.of(0xe0, 0xa0))).toMatchObject({ text: '', invalidAt: -1 });
    expect(decoder.decode(Uint8Array.of(0x80))).toMatchObject({ text: '\u0800', invalidAt: -1 });
  });

  it('locateEach: the offset of every U+FFFD standing for invalid bytes, chunk by chunk', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 6 }), (input, cuts) => {
        // A U+FFFD written in the input (EF BF BD) is text, not a replacement: leave it out here.
        fc.pre(!containsFffd(input));
        const decoder = new Utf8Decoder('replace', { locateEach: true });
        let from = 0;
        const check = (out: { text: string; replaced: readonly number[] }) => {
          const expected: number[] = [];
          for (
            let i = out.text.indexOf('\ufffd');
            i !== -1;
            i = out.text.indexOf('\ufffd', i + 1)
          ) {
            expected.push(i);
          }
          expect(out.replaced).toEqual(expected);
        };
        for (const to of [...cutPoints(input, cuts), input.length]) {
          check(decoder.decode(input.subarray(from, to)));
          from = to;
        }
        check(decoder.flush());
      }),
      { numRuns: 1000 },
    );
    const decoder = new Utf8Decoder('replace', { locateEach: true });
    // A written U+FFFD is not reported; the invalid FF after it is.
    expect(
      decoder.decode(Uint8Array.of(0xef, 0xbf, 0xbd, 0xff, 0xf0, 0x9f, 0x98, 0x80, 0xc0)),
    ).toEqual({
      text: '\ufffd\ufffd\u{1F600}\ufffd',
      invalidAt: 3,
      replaced: [1, 4],
    });
  });
});

function cutPoints(input: Uint8Array, cuts: number[]): number[] {
  return [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
}

function containsFffd(input: Uint8Array): boolean {
  for (let i = 0; i + 2 < input.length; i++) {
    if (input[i] === 0xef && input[i + 1] === 0xbf && input[i + 2] === 0xbd) return true;
  }
  return false;
}

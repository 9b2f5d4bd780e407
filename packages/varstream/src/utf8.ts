/**
 * The codec's one streaming UTF-8 decoder, for every reader fed with bytes
 * (the `Reader`, the JSON tokenizer, the legacy reader). It decodes as the
 * WHATWG streaming decoder (`TextDecoder` with `stream: true`) does: a
 * character split across chunks decodes whole, an invalid sequence is
 * decoded in the chunk where it shows (only a valid incomplete character
 * waits for the next chunk), and the first invalid byte of a chunk is
 * located by its offset in the whole input.
 *
 * What comes of the invalid bytes is the reader's choice:
 * - `'stop'`: the text before the first of them (the JSON tokenizer then
 *   fails there);
 * - `'replace'`: the whole chunk, each maximal invalid subsequence as one
 *   U+FFFD (the `Reader` throws in strict mode, or reports and goes on);
 * - `'replace'` with `{ locateEach: true }`: the same text, and the offset in
 *   it of every U+FFFD that stands for invalid bytes (`replaced`), for the
 *   legacy reader, which reports each one where it is inserted, as 0.3.2's
 *   `Buffer#toString` inserts them.
 */

export type InvalidBytes = 'stop' | 'replace';

export interface Utf8DecoderOptions {
  /** With `'replace'`: fill `DecodedChunk.replaced`. Default false. */
  readonly locateEach?: boolean;
}

export interface DecodedChunk {
  /** The text decoded: up to the first invalid byte (`'stop'`) or all of it (`'replace'`). */
  readonly text: string;
  /** Byte offset in the whole input of the first invalid byte, or -1. */
  readonly invalidAt: number;
  /**
   * With `locateEach`: offsets in `text` (UTF-16 code units) of the U+FFFD
   * that replace invalid bytes, in order. Empty otherwise.
   */
  readonly replaced: readonly number[];
}

const NONE: readonly number[] = [];
const NOTHING: DecodedChunk = { text: '', invalidAt: -1, replaced: NONE };

export class Utf8Decoder {
  #carry: Uint8Array | undefined;
  /** Bytes of the input before the current chunk. */
  #offset = 0;
  readonly #replace: boolean;
  readonly #locateEach: boolean;
  readonly #strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  #lenientDecoder: TextDecoder | undefined;

  constructor(invalid: InvalidBytes, options: Utf8DecoderOptions = {}) {
    this.#replace = invalid === 'replace';
    this.#locateEach = this.#replace && options.locateEach === true;
  }

  /** True while the bytes of an incomplete character wait for the next chunk. */
  get hasPending(): boolean {
    return this.#carry !== undefined;
  }

  decode(chunk: Uint8Array): DecodedChunk {
    let bytes = chunk;
    const carried = this.#carry?.length ?? 0;
    if (this.#carry !== undefined) {
      bytes = new Uint8Array(carried + chunk.length);
      bytes.set(this.#carry, 0);
      bytes.set(chunk, carried);
      this.#carry = undefined;
    }
    const base = this.#offset - carried;
    this.#offset += chunk.length;
    const tail = incompleteTail(bytes);
    if (tail > 0) {
      this.#carry = bytes.slice(bytes.length - tail);
      bytes = bytes.subarray(0, bytes.length - tail);
    }
    return this.#complete(bytes, base);
  }

  /**
   * The end of the input (or of the bytes, when text follows): an incomplete
   * character left over is invalid.
   */
  flush(): DecodedChunk {
    const rest = this.#carry;
    if (rest === undefined) return NOTHING;
    this.#carry = undefined;
    return this.#complete(rest, this.#offset - rest.length);
  }

  /** Decodes bytes that end on a character boundary; `base` is the offset of the first. */
  #complete(bytes: Uint8Array, base: number): DecodedChunk {
    if (bytes.length === 0) return NOTHING;
    try {
      return { text: this.#strictDecoder.decode(bytes), invalidAt: -1, replaced: NONE };
    } catch {
      const at = firstInvalid(bytes);
      if (!this.#replace) {
        const text = this.#strictDecoder.decode(bytes.subarray(0, at));
        return { text, invalidAt: base + at, replaced: NONE };
      }
      this.#lenientDecoder ??= new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      const text = this.#lenientDecoder.decode(bytes);
      const replaced = this.#locateEach ? replacementOffsets(bytes) : NONE;
      return { text, invalidAt: base + at, replaced };
    }
  }
}

// --- UTF-8 validity, defined once (WHATWG / Unicode "maximal subpart") ---------------------

/** Bytes of the sequence lead byte `b` starts (1 to 4), or 0 when it starts none. */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/**
 * How many bytes from `i` (the lead byte of a `need`-byte sequence) form a
 * valid start of it, up to `need` (complete) or the end of `bytes`. The byte
 * after the lead has a narrower range: no overlong form, no surrogate,
 * nothing above U+10FFFF.
 */
function validRun(bytes: Uint8Array, i: number, need: number): number {
  const lead = bytes[i]!;
  const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
  const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
  const end = Math.min(bytes.length, i + need);
  let k = i + 1;
  if (k < end) {
    const b = bytes[k]!;
    if (b < low || b > high) return 1;
    k++;
  }
  while (k < end && (bytes[k]! & 0xc0) === 0x80) k++;
  return k - i;
}

/**
 * Length of the valid incomplete character at the end of `bytes` (0 to 3):
 * what waits for the next chunk. An invalid tail is not carried: it
 * decodes now, as the WHATWG streaming decoder decodes it.
 */
export function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = sequenceLength(b);
    if (need <= back) return 0;
    return validRun(bytes, n - back, need) === back ? back : 0;
  }
  return 0;
}

/** Index of the first byte that starts an invalid (or truncated) UTF-8 sequence; the length when none. */
export function firstInvalid(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = sequenceLength(b);
    if (need === 0 || validRun(bytes, i, need) < need) return i;
    i += need;
  }
  return n;
}

/**
 * Offsets in the decoded text (UTF-16 code units) of the U+FFFD that WHATWG
 * decoding inserts for `bytes` (which end on a character boundary, or where
 * the input ends): one for each maximal invalid subsequence.
 */
export function replacementOffsets(bytes: Uint8Array): number[] {
  const offsets: number[] = [];
  const n = bytes.length;
  let units = 0;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      units++;
      continue;
    }
    const need = sequenceLength(b);
    const run = need === 0 ? 1 : validRun(bytes, i, need);
    if (run === need) {
      units += need === 4 ? 2 : 1;
    } else {
      offsets.push(units);
      units++;
    }
    i += run;
  }
  return offsets;
}

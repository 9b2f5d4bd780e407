/**
 * The codec's streaming UTF-8 decoder, for every reader fed with bytes (the
 * `Reader`, the JSON tokenizer): a character split across chunks decodes
 * whole, and the first invalid byte of a chunk is reported by its offset in
 * the whole input. What comes of the invalid bytes is the reader's choice:
 * `'stop'` gives the text before the first of them (the JSON tokenizer then
 * fails there), `'replace'` gives the whole chunk with each invalid sequence
 * as U+FFFD (the WHATWG decoding; the `Reader` throws in strict mode or
 * reports the error and goes on).
 *
 * The legacy reader has its own decoder (`legacy/utf8.ts`): to stay
 * byte-exact with varstream 0.3.2 it reports every U+FFFD where it is
 * inserted in the text, not the first invalid byte of a chunk.
 */

export interface DecodedChunk {
  /** The text decoded: up to the first invalid byte (`'stop'`) or all of it (`'replace'`). */
  readonly text: string;
  /** Byte offset in the whole input of the first invalid byte, or -1. */
  readonly invalidAt: number;
}

const NOTHING: DecodedChunk = { text: '', invalidAt: -1 };

export class Utf8Decoder {
  #carry: Uint8Array | undefined;
  /** Bytes of the input before the current chunk. */
  #offset = 0;
  readonly #replace: boolean;
  readonly #strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  #lenientDecoder: TextDecoder | undefined;

  constructor(invalid: 'stop' | 'replace') {
    this.#replace = invalid === 'replace';
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

  /** The end of the input: an incomplete character left over is invalid. */
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
      return { text: this.#strictDecoder.decode(bytes), invalidAt: -1 };
    } catch {
      const at = firstInvalid(bytes);
      if (!this.#replace) {
        return { text: this.#strictDecoder.decode(bytes.subarray(0, at)), invalidAt: base + at };
      }
      this.#lenientDecoder ??= new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
      return { text: this.#lenientDecoder.decode(bytes), invalidAt: base + at };
    }
  }
}

/** Length of an incomplete UTF-8 sequence at the end of `bytes` (0 to 3). */
export function incompleteTail(bytes: Uint8Array): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need =
      b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xc2 && b <= 0xdf ? 2 : 1;
    return need > back ? back : 0;
  }
  return 0;
}

/** Index of the first byte that starts an invalid (or truncated) UTF-8 sequence. */
export function firstInvalid(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return n;
}

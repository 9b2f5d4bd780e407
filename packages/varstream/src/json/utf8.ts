/**
 * Strict streaming UTF-8 decoding for the JSON tokenizer: a character split
 * across chunks decodes whole, and the first invalid byte stops decoding with
 * its exact byte offset, after the valid text before it (so the tokenizer can
 * report the line and column where the bad bytes start).
 */
import { firstInvalid, incompleteTail } from '../utf8.js';

export interface DecodedChunk {
  /** The text decoded, up to the first invalid byte. */
  readonly text: string;
  /** Byte offset in the whole input of the first invalid byte, or -1. */
  readonly invalidAt: number;
}

export class StrictUtf8Decoder {
  #carry: Uint8Array | undefined;
  /** Bytes of the input before the current chunk. */
  #offset = 0;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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
    if (rest === undefined) return { text: '', invalidAt: -1 };
    this.#carry = undefined;
    return this.#complete(rest, this.#offset - rest.length);
  }

  #complete(bytes: Uint8Array, base: number): DecodedChunk {
    if (bytes.length === 0) return { text: '', invalidAt: -1 };
    try {
      return { text: this.#decoder.decode(bytes), invalidAt: -1 };
    } catch {
      const at = firstInvalid(bytes);
      return { text: this.#decoder.decode(bytes.subarray(0, at)), invalidAt: base + at };
    }
  }
}

import { VarStreamError } from './errors.js';

/**
 * Streaming UTF-8 decoding for readers fed with bytes: a character split
 * across chunks decodes whole. Invalid bytes are an error (`fatal`) or become
 * U+FFFD and are reported through `onInvalid`.
 */
export class Utf8Decoder {
  #carry: Uint8Array | undefined;
  #offset = 0;
  readonly #fatal: boolean;
  readonly #onInvalid: ((error: VarStreamError) => void) | undefined;
  readonly #strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  readonly #lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  constructor(fatal: boolean, onInvalid?: (error: VarStreamError) => void) {
    this.#fatal = fatal;
    this.#onInvalid = onInvalid;
  }

  decode(chunk: Uint8Array): string {
    let bytes = chunk;
    const carried = this.#carry?.length ?? 0;
    if (this.#carry !== undefined) {
      bytes = new Uint8Array(this.#carry.length + chunk.length);
      bytes.set(this.#carry, 0);
      bytes.set(chunk, this.#carry.length);
      this.#carry = undefined;
    }
    const tail = incompleteTail(bytes);
    if (tail > 0) {
      this.#carry = bytes.slice(bytes.length - tail);
      bytes = bytes.subarray(0, bytes.length - tail);
    }
    const text = this.#decodeComplete(bytes, this.#offset - carried);
    this.#offset += chunk.length;
    return text;
  }

  /** Decodes what is left at the end of input: an incomplete character is invalid. */
  flush(): string {
    if (this.#carry === undefined) return '';
    const rest = this.#carry;
    this.#carry = undefined;
    return this.#decodeComplete(rest, this.#offset - rest.length);
  }

  #decodeComplete(bytes: Uint8Array, base: number): string {
    try {
      return this.#strictDecoder.decode(bytes);
    } catch {
      const at = base + firstInvalid(bytes);
      const error = new VarStreamError('BAD_UTF8', `Invalid UTF-8 at byte ${at} of the input`);
      if (this.#fatal) throw error;
      this.#onInvalid?.(error);
      return this.#lenientDecoder.decode(bytes);
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

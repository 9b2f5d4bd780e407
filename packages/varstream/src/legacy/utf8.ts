/**
 * A streaming UTF-8 decoder (the WHATWG algorithm, as `TextDecoder` and
 * Node's `Buffer#toString` use): a character split across chunks decodes
 * correctly, each maximal invalid subsequence becomes one U+FFFD, and the
 * offset of every U+FFFD it inserted is returned so it can be reported.
 */

export interface Decoded {
  readonly text: string;
  /** Offsets in `text` (UTF-16 code units) of the U+FFFD that replace invalid bytes. */
  readonly errors: readonly number[];
}

const REPLACEMENT = 0xfffd;
const BLOCK = 8192;

function unitsToString(units: Uint16Array, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += BLOCK) {
    text += String.fromCharCode(...units.subarray(i, Math.min(length, i + BLOCK)));
  }
  return text;
}

export class Utf8StreamDecoder {
  private needed = 0;
  private seen = 0;
  private codePoint = 0;
  private lower = 0x80;
  private upper = 0xbf;

  /** True while the bytes of an incomplete character wait for the next chunk. */
  get hasPending(): boolean {
    return this.needed !== 0;
  }

  decode(bytes: Uint8Array): Decoded {
    const units = new Uint16Array(bytes.length + 1);
    const errors: number[] = [];
    let length = 0;
    let i = 0;
    while (i < bytes.length) {
      const b = bytes[i]!;
      if (this.needed === 0) {
        i++;
        if (b <= 0x7f) {
          units[length++] = b;
        } else if (b >= 0xc2 && b <= 0xdf) {
          this.needed = 1;
          this.codePoint = b & 0x1f;
        } else if (b >= 0xe0 && b <= 0xef) {
          if (b === 0xe0) this.lower = 0xa0;
          if (b === 0xed) this.upper = 0x9f;
          this.needed = 2;
          this.codePoint = b & 0xf;
        } else if (b >= 0xf0 && b <= 0xf4) {
          if (b === 0xf0) this.lower = 0x90;
          if (b === 0xf4) this.upper = 0x8f;
          this.needed = 3;
          this.codePoint = b & 0x7;
        } else {
          errors.push(length);
          units[length++] = REPLACEMENT;
        }
        continue;
      }
      if (b < this.lower || b > this.upper) {
        // The byte does not continue the character: replace what came before, then reread it.
        this.reset();
        errors.push(length);
        units[length++] = REPLACEMENT;
        continue;
      }
      i++;
      this.lower = 0x80;
      this.upper = 0xbf;
      this.codePoint = (this.codePoint << 6) | (b & 0x3f);
      if (++this.seen === this.needed) {
        const cp = this.codePoint;
        this.reset();
        if (cp > 0xffff) {
          units[length++] = 0xd800 + ((cp - 0x10000) >> 10);
          units[length++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
        } else {
          units[length++] = cp;
        }
      }
    }
    return { text: unitsToString(units, length), errors };
  }

  /** End of the byte stream: an incomplete character left becomes one U+FFFD. */
  finish(): Decoded {
    if (this.needed === 0) return { text: '', errors: [] };
    this.reset();
    return { text: '\ufffd', errors: [0] };
  }

  private reset(): void {
    this.needed = 0;
    this.seen = 0;
    this.codePoint = 0;
    this.lower = 0x80;
    this.upper = 0xbf;
  }
}

import { isDelete, type TextComponent, type TextOp } from './text-op.js';

/**
 * Reads an operation's components in pieces: `take(n)` returns at most `n`
 * units of the next component (splitting keeps and deletes); the kind named
 * `whole` is never split and returned whole whatever `n` is. Past the end it
 * returns an endless keep (`undefined` from `peek`).
 */
export class OpReader {
  readonly #op: TextOp;
  #index = 0;
  #offset = 0;

  constructor(op: TextOp) {
    this.#op = op;
  }

  peek(): TextComponent | undefined {
    return this.#op[this.#index];
  }

  /** The next piece; `whole`: 'insert' (transform) or 'delete' (compose) is taken whole. */
  take(n: number, whole: 'insert' | 'delete'): TextComponent | undefined {
    const c = this.#op[this.#index];
    if (c === undefined) return n === Number.POSITIVE_INFINITY ? undefined : n;
    if (typeof c === 'string') {
      if (whole === 'insert') {
        this.#index++;
        return c;
      }
      const piece = c.slice(this.#offset, this.#offset + n);
      this.#advance(c.length, piece.length);
      return piece;
    }
    if (isDelete(c)) {
      if (whole === 'delete') {
        const rest = c.d - this.#offset;
        this.#index++;
        this.#offset = 0;
        return { d: rest };
      }
      const size = Math.min(n, c.d - this.#offset);
      this.#advance(c.d, size);
      return { d: size };
    }
    const size = Math.min(n, c - this.#offset);
    this.#advance(c, size);
    return size;
  }

  #advance(length: number, size: number): void {
    this.#offset += size;
    if (this.#offset >= length) {
      this.#index++;
      this.#offset = 0;
    }
  }
}

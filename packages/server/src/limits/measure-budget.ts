import { TokenBucket } from './token-bucket.js';

/**
 * How many bytes of document a server may walk per second to measure
 * documents exactly (their size, their depth): the measures that a change
 * can trigger (`DOC_TOO_LARGE` checks, `&=` of containers) cost the size of
 * the document, so they are paid from this budget, refilled at `rate` bytes
 * per second up to `capacity`. A measure of `bytes` runs when the budget
 * holds at least that much (a document larger than the capacity needs a
 * full budget), and spends it. Work whose size is known only once done
 * (saving a shared array's elements) is paid after (`spend`), and refused
 * while the budget is in debt (`available`).
 */
export class MeasureBudget {
  readonly #capacity: number;
  readonly #bucket: TokenBucket;

  constructor(bytesPerSecond: number, capacity: number, now: number = performance.now()) {
    this.#capacity = Math.max(1, capacity);
    this.#bucket = new TokenBucket(bytesPerSecond, this.#capacity, now);
  }

  take(bytes: number, now: number = performance.now()): boolean {
    return this.#bucket.takeUnits(Math.min(Math.max(1, bytes), this.#capacity), now);
  }

  /** True when the budget is not in debt (see `spend`). */
  available(now: number = performance.now()): boolean {
    return this.#bucket.available(now);
  }

  /** Pays for work already done: the budget may go into debt, down to minus its capacity. */
  spend(bytes: number, now: number = performance.now()): void {
    this.#bucket.spend(bytes, now, -this.#capacity);
  }
}

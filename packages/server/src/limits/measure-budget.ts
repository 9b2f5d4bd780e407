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
  readonly #rate: number;
  readonly #capacity: number;
  #bytes: number;
  #last: number;

  constructor(bytesPerSecond: number, capacity: number, now: number = performance.now()) {
    this.#rate = bytesPerSecond / 1000;
    this.#capacity = Math.max(1, capacity);
    this.#bytes = this.#capacity;
    this.#last = now;
  }

  take(bytes: number, now: number = performance.now()): boolean {
    this.#refill(now);
    const cost = Math.min(Math.max(1, bytes), this.#capacity);
    if (this.#bytes < cost) return false;
    this.#bytes -= cost;
    return true;
  }

  /** True when the budget is not in debt (see `spend`). */
  available(now: number = performance.now()): boolean {
    this.#refill(now);
    return this.#bytes > 0;
  }

  /** Pays for work already done: the budget may go into debt, down to minus its capacity. */
  spend(bytes: number, now: number = performance.now()): void {
    this.#refill(now);
    this.#bytes = Math.max(-this.#capacity, this.#bytes - bytes);
  }

  #refill(now: number): void {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#bytes = Math.min(this.#capacity, this.#bytes + elapsed * this.#rate);
      this.#last = now;
    }
  }
}

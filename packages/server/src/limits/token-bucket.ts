/**
 * A token bucket: `rate` tokens per second, at most `burst` saved up. Starts
 * full. `take()` spends one token (`takeUnits(n)` n of them), false when not
 * enough are left; `spend(n)` spends whatever is left and may go into debt
 * (down to `floor`), for work paid after it is done. The change rate limit,
 * the input budget and the measure budget are all such buckets.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #last: number;

  constructor(rate: number, burst: number, now: number = performance.now()) {
    this.#rate = rate / 1000;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
    this.#last = now;
  }

  take(now: number = performance.now()): boolean {
    return this.takeUnits(1, now);
  }

  /** Spends `cost` tokens if that many are there. */
  takeUnits(cost: number, now: number = performance.now()): boolean {
    this.#refill(now);
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Spends `units` whatever is left, down to `floor`; returns the ms until the bucket is out of debt (0: not in debt). */
  spend(units: number, now: number = performance.now(), floor = Number.NEGATIVE_INFINITY): number {
    this.#refill(now);
    this.#tokens = Math.max(floor, this.#tokens - units);
    return this.#tokens >= 0 ? 0 : -this.#tokens / this.#rate;
  }

  /** True when some tokens are left (the bucket is not empty or in debt). */
  available(now: number = performance.now()): boolean {
    this.#refill(now);
    return this.#tokens > 0;
  }

  get tokens(): number {
    return this.#tokens;
  }

  #refill(now: number): void {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#rate);
      this.#last = now;
    }
  }
}

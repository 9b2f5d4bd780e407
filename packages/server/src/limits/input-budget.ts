/** One resource of an InputBudget: `rate` units per second, at most `burst` saved up; spending may go into debt. */
class Allowance {
  readonly #rate: number;
  readonly #burst: number;
  #left: number;
  #last: number;

  constructor(perSecond: number, burst: number, now: number) {
    this.#rate = perSecond / 1000;
    this.#burst = Math.max(1, burst);
    this.#left = this.#burst;
    this.#last = now;
  }

  /** Spends `units`; returns the milliseconds until the allowance is back to zero (0: not in debt). */
  spend(units: number, now: number): number {
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#left = Math.min(this.#burst, this.#left + elapsed * this.#rate);
      this.#last = now;
    }
    this.#left -= units;
    return this.#left >= 0 ? 0 : -this.#left / this.#rate;
  }
}

/**
 * The work one connection may make the server do: lines (statements, meta
 * lines) and bytes per second, with bursts. Unlike the change rate limit,
 * which refuses, it delays: a frame is always handled, its cost is charged,
 * and a connection that spent more than its budget is not read again until
 * the budget has refilled (TCP pushes back on the client meanwhile). The
 * work a connection causes is bounded by the rates, whatever its frames
 * hold.
 */
export class InputBudget {
  readonly #lines: Allowance;
  readonly #bytes: Allowance;

  constructor(
    limits: {
      readonly maxLinesPerSecond: number;
      readonly lineBurst: number;
      readonly maxBytesInPerSecond: number;
      readonly bytesInBurst: number;
    },
    now: number = performance.now(),
  ) {
    this.#lines = new Allowance(limits.maxLinesPerSecond, limits.lineBurst, now);
    this.#bytes = new Allowance(limits.maxBytesInPerSecond, limits.bytesInBurst, now);
  }

  /** Charges one frame; returns how long (ms) to stop reading the connection, 0 for not at all. */
  charge(lines: number, bytes: number, now: number = performance.now()): number {
    return Math.max(this.#lines.spend(lines, now), this.#bytes.spend(bytes, now));
  }
}

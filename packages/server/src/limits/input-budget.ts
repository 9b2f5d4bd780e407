import { TokenBucket } from './token-bucket.js';

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
  readonly #lines: TokenBucket;
  readonly #bytes: TokenBucket;

  constructor(
    limits: {
      readonly maxLinesPerSecond: number;
      readonly lineBurst: number;
      readonly maxBytesInPerSecond: number;
      readonly bytesInBurst: number;
    },
    now: number = performance.now(),
  ) {
    this.#lines = new TokenBucket(limits.maxLinesPerSecond, limits.lineBurst, now);
    this.#bytes = new TokenBucket(limits.maxBytesInPerSecond, limits.bytesInBurst, now);
  }

  /** Charges one frame; returns how long (ms) to stop reading the connection, 0 for not at all. */
  charge(lines: number, bytes: number, now: number = performance.now()): number {
    return Math.max(this.#lines.spend(lines, now), this.#bytes.spend(bytes, now));
  }
}

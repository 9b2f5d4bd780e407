import { clientDefaults } from '../defaults.js';

export interface BackoffOptions {
  /** First delay cap, in ms. Default 250. */
  baseMs?: number;
  /** Largest delay, in ms. Default 30 000. */
  maxMs?: number;
  /** Random source in [0, 1). Default Math.random. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: the n-th retry waits a uniformly
 * random time in [0, min(max, base * 2^n)).
 */
export class Backoff {
  readonly #base: number;
  readonly #max: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#base = options.baseMs ?? clientDefaults.backoff.baseMs;
    this.#max = options.maxMs ?? clientDefaults.backoff.maxMs;
    this.#random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call doubles the cap. */
  next(): number {
    const cap = Math.min(this.#max, this.#base * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.floor(this.#random() * cap);
  }

  reset(): void {
    this.#attempt = 0;
  }
}

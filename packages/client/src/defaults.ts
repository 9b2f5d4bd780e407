/**
 * Every timing and limit of the client, with its default: each is overridden
 * by the `connect` option of the same name (`connect(url, { heartbeatMs: 5_000 })`).
 */
export interface ClientDefaults {
  /** `#vs ping` interval while connected, in ms. Default 15 000. */
  readonly heartbeatMs: number;
  /**
   * Silence (no frame, no pong) after which the connection is considered
   * dead, in ms, on top of two heartbeats: `timeoutMs` defaults to
   * 2 × `heartbeatMs` + this. Default 5 000.
   */
  readonly timeoutGraceMs: number;
  /**
   * Time the server has to answer the ping of `checkConnection()` (called
   * by the DOM `connect` on the page's `offline` event) before the socket is
   * dropped and the document goes `offline`, in ms. Default 3 000.
   */
  readonly probeTimeoutMs: number;
  /** Reconnection delays, exponential with full jitter: the first cap and the largest delay, in ms. Default 250 and 30 000. */
  readonly backoff: Readonly<{ baseMs: number; maxMs: number }>;
  /** Times a change refused with `SPLICE_STALE` is sent again (rebased) before it is reported. Default 3. */
  readonly maxStaleRetries: number;
  /**
   * Most UTF-8 bytes in the statements of one local change (`set`, `splice`,
   * a paste into a bound field...): a larger one throws `FRAME_TOO_LARGE` at
   * the call and changes nothing. Sent, it would pass the server's frame cap
   * (`maxFrameBytes`, 1 MiB by default; twice that closes the socket, 1009),
   * and be sent again after every reconnect, blocking every later change.
   * Default 1 000 000 (room for the `#vs change` line under 1 MiB).
   */
  readonly maxChangeBytes: number;
}

export const clientDefaults: ClientDefaults = Object.freeze({
  heartbeatMs: 15_000,
  timeoutGraceMs: 5_000,
  probeTimeoutMs: 3_000,
  backoff: Object.freeze({ baseMs: 250, maxMs: 30_000 }),
  maxStaleRetries: 3,
  maxChangeBytes: 1_000_000,
});

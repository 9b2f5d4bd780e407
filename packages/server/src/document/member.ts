/**
 * What a document needs from a client connection: an id and a way to send
 * frames. The document decides what to send and when (order, durability,
 * batching). Every member receives every revision, its own included.
 */
export interface Member {
  /** The connection id (`conn` in meta lines). */
  readonly id: string;
  /** True when the client announced the splice extension (hello `ext=splice`): it receives `~=` lines. */
  readonly splices: boolean;
  /**
   * Sent change sections in their compact form (protocol version 2, and
   * plain clients: see `@varstream/protocol` sections), else in full.
   */
  readonly compact: boolean;
  /**
   * Sends one frame; several Buffers are one message in fragments (slices of
   * a shared frame). A Buffer may be shared with other members: never modify it.
   */
  send(frame: Buffer | string | readonly Buffer[]): void;
  /**
   * Sends the welcome: one message made of these parts in order (it may hold
   * a large snapshot: the slow-client limit allows for it). A Buffer part may
   * be shared with other members: never modify it. `compressible(bytes)`
   * says whether compressing that many bytes for this member alone is
   * affordable now (it is paid for when it answers true).
   */
  sendWelcome(parts: readonly (Buffer | string)[], compressible?: (bytes: number) => boolean): void;
  /** Closes the member's connection (the document cannot serve it any more). */
  close(code: number, reason: string): void;
}

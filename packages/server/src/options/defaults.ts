/**
 * Every limit and timing of the server, with its default. Each one can be
 * overridden by the option of the same name (`new VarStreamServer({ maxFrameBytes: 65536 })`).
 */
export interface ServerLimits {
  /** Largest frame a client may send, in bytes. Default 1 MiB (1 048 576). Frames above twice this are cut by `ws` with close code 1009. */
  maxFrameBytes: number;
  /** Most lines in one frame. Default 10 000. */
  maxLinesPerFrame: number;
  /** Most segments in a path, after `^` expansion. Default 64. */
  maxPathDepth: number;
  /** Largest array index a statement may address. Default 1 000 000. */
  maxArrayIndex: number;
  /** Largest distance past the end of an array a statement may write at. Default 1 000. */
  maxArrayGap: number;
  /** Largest document, in bytes of its VarStream snapshot. Default 8 MiB (8 388 608). */
  maxDocumentBytes: number;
  /**
   * Most segments in the path of any value of a document, counting the paths
   * that `&=` references open (`a.b&=c` puts all of `c` below `a.b`). A change
   * is refused (`TREE_TOO_DEEP`) when it would leave paths longer than this
   * less `maxPathDepth`. Default 1 000: what every reader accepts by default
   * (the codec's `maxPathDepth`), so any client can read any welcome.
   */
  maxTreeDepth: number;
  /**
   * Longest string a document may hold, in UTF-16 code units, however it is
   * built (`s+=x` repeated included; `LIMIT_STRING`). Default 2 MiB
   * (2 097 152): written with every character escaped it still fits in the
   * 16 MiB statements every reader accepts by default.
   */
  maxStringLength: number;
  /**
   * Bytes of document the server may walk per second and per document for
   * exact measures (a size check when the estimate passes
   * `maxDocumentBytes`, a depth check after `&=` of containers), for
   * saving the elements of a shared array that `!` empties (64 bytes an
   * element), for splices (`~=`) into strings longer than 64 Ki
   * characters (their length / 16: a splice copies the string) and for
   * transforming splices past concurrent edits (256 bytes each; beyond:
   * `SPLICE_STALE`). A change that needs work the budget cannot pay is refused
   * (`DOC_TOO_LARGE`, or `BUSY`). Default 8 MiB (8 388 608).
   */
  measureBytesPerSecond: number;
  /** Changes (and presence updates) per second per connection: the token bucket's refill rate. Default 1 000. */
  maxChangesPerSecond: number;
  /** Token bucket size: changes a connection may send in a burst. Default 2 000. */
  changeBurst: number;
  /** Consecutive `RATE_LIMITED` rejections after which the connection is closed with 4429. Default 200. */
  maxRateLimitedInARow: number;
  /** Bytes waiting to be sent to one client above which it is dropped with 4503. Default 8 MiB (8 388 608). */
  maxBufferedBytes: number;
  /** Interval of WebSocket pings; a connection that missed the previous pong is terminated. Default 30 000 ms. */
  heartbeatMs: number;
  /** How long a `vs=1` client has to send its hello. Default 10 000 ms. */
  helloTimeoutMs: number;
  /** Longest `#vs presence` line, in bytes. Default 1 024. */
  maxPresenceBytes: number;
  /** Revisions kept in memory for resuming clients. Default 10 000. */
  resumeLogRevisions: number;
  /** Bytes of revisions kept in memory for resuming clients. Default 8 MiB (8 388 608). */
  resumeLogBytes: number;
  /** Client ids per document remembered for duplicate detection (least recently active forgotten first). Default 10 000. */
  dedupClients: number;
  /** Change ids remembered per client id. Default 1 024. */
  dedupPerClient: number;
  /** Journal size that triggers a compaction into a snapshot, in bytes. Default 64 MiB (67 108 864). */
  compactionBytes: number;
  /** `fsync: 'interval'`: time between two fsyncs of a journal. Default 1 000 ms. */
  fsyncIntervalMs: number;
  /** Graceful close: how long clients get to complete the close handshake before being cut. Default 5 000 ms. */
  closeTimeoutMs: number;
  /** Most simultaneous WebSocket connections; more are refused with HTTP 503. Default 10 000. */
  maxConnections: number;
  /**
   * Lines (statements and meta lines) per second one connection may send: beyond the burst, the
   * server stops reading it until it is back under the rate (TCP pushes back; nothing is refused). Default 20 000.
   */
  maxLinesPerSecond: number;
  /** Lines a connection may send at once before `maxLinesPerSecond` paces it. Default 20 000 (two full frames). */
  lineBurst: number;
  /** Bytes per second one connection may send, paced like `maxLinesPerSecond`. Default 8 MiB (8 388 608). */
  maxBytesInPerSecond: number;
  /** Bytes a connection may send at once before `maxBytesInPerSecond` paces it. Default 16 MiB (16 777 216). */
  bytesInBurst: number;
  /**
   * With `dataDir`: a document without connections for this long is written, its journal closed, and
   * it is dropped from memory (loaded again on the next connection). Memory-only documents stay. Default 60 000 ms.
   */
  documentIdleMs: number;
  /** With `dataDir`: journal files open at once; the least recently written is closed (reopened on its next write). Default 256. */
  maxOpenJournals: number;
  /**
   * Bytes of incoming messages not yet complete (fragmented or slow), all connections together; beyond, the
   * connection holding the most is cut (counted as 1009). One connection holds at most twice `maxFrameBytes`. Default 64 MiB (67 108 864).
   */
  maxIncomingBytes: number;
  /**
   * Server-wide memory budget: loaded documents (snapshot bytes), bytes queued for clients (a shared
   * welcome counted once) and incoming messages. Reached: idle documents are unloaded (`dataDir`),
   * connections to documents not loaded are refused (HTTP 503, or close 1013), changes that grow a
   * document are rejected (`SERVER_FULL`), and clients with more than 1 MiB queued are dropped (4503),
   * largest first. Default 1 GiB (1 073 741 824).
   */
  maxMemoryBytes: number;
  /** With `redis`: log entries after which a node stores a snapshot in Redis and trims the log before it. Default 10 000. */
  redisSnapshotEntries: number;
  /** With `redis`: longest wait for this node to reach the revision a resuming client holds (else it gets a snapshot). Default 5 000 ms. */
  redisCatchUpMs: number;
  /** With `redis`: lifetime of a node's liveness key; the connections of a node silent this long are removed everywhere. Default 10 000 ms. */
  redisNodeTtlMs: number;
  /** With `redis`: longest wait for Redis to answer a command (an append: its changes are then refused with `UNAVAILABLE`). Default 5 000 ms. */
  redisCommandTimeoutMs: number;
  /**
   * Statements remembered per document to transform text splices (`~=`) against: a splice based on a
   * revision older than the oldest one kept is rejected with `SPLICE_STALE` (the client resends it). Default 10 000.
   */
  maxTextHistory: number;
  /**
   * Pieces one splice may become once transformed (a delete is split around each concurrent insert inside it);
   * beyond, it is rejected with `SPLICE_STALE`. Bounds the cost of transforming one splice. Default 100.
   */
  maxSpliceParts: number;
  /**
   * A welcome frame of at least this many bytes is sent compressed
   * (`permessage-deflate`, 1 KiB window, no context kept) to a client that
   * offers the extension, as browsers do; no other frame the server sends
   * is compressed. `Infinity`: the extension is not negotiated. Default 1 024.
   */
  compressWelcomeBytes: number;
}

export const serverDefaults: Readonly<ServerLimits> = Object.freeze({
  maxFrameBytes: 1024 * 1024,
  maxLinesPerFrame: 10_000,
  maxPathDepth: 64,
  maxArrayIndex: 1_000_000,
  maxArrayGap: 1_000,
  maxDocumentBytes: 8 * 1024 * 1024,
  maxTreeDepth: 1_000,
  maxStringLength: 2 * 1024 * 1024,
  measureBytesPerSecond: 8 * 1024 * 1024,
  maxChangesPerSecond: 1_000,
  changeBurst: 2_000,
  maxRateLimitedInARow: 200,
  maxBufferedBytes: 8 * 1024 * 1024,
  heartbeatMs: 30_000,
  helloTimeoutMs: 10_000,
  maxPresenceBytes: 1_024,
  resumeLogRevisions: 10_000,
  resumeLogBytes: 8 * 1024 * 1024,
  dedupClients: 10_000,
  dedupPerClient: 1_024,
  compactionBytes: 64 * 1024 * 1024,
  fsyncIntervalMs: 1_000,
  closeTimeoutMs: 5_000,
  maxConnections: 10_000,
  maxLinesPerSecond: 20_000,
  lineBurst: 20_000,
  maxBytesInPerSecond: 8 * 1024 * 1024,
  bytesInBurst: 16 * 1024 * 1024,
  documentIdleMs: 60_000,
  maxOpenJournals: 256,
  maxIncomingBytes: 64 * 1024 * 1024,
  maxMemoryBytes: 1024 * 1024 * 1024,
  redisSnapshotEntries: 10_000,
  redisCatchUpMs: 5_000,
  redisNodeTtlMs: 10_000,
  redisCommandTimeoutMs: 5_000,
  maxTextHistory: 10_000,
  maxSpliceParts: 100,
  compressWelcomeBytes: 1_024,
});

/** Keys refused anywhere in a path: they would pollute prototypes in naive readers (varstream 0.3.2 included). */
export const defaultUnsafeKeys: readonly string[] = Object.freeze([
  '__proto__',
  'constructor',
  'prototype',
]);

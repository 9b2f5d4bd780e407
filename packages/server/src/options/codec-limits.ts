import { defaults, type Limits } from '@varstream/varstream';
import type { ServerLimits } from './defaults.js';

/**
 * The codec's limits for what this server reads and applies: client frames,
 * server-side writes (`write`, stdin) and every document's `Tree` use these,
 * and nothing else maps server limits to codec limits. What the server reads
 * back from its own files and log uses `loadLimits` (never tighter).
 *
 * A statement may be as long as a frame (`maxFrameBytes`), and never shorter
 * than what every reader accepts by default (the codec's 16 MiB): a frame
 * bounds what a client sends anyway, and a server-side write may write any
 * statement a client could, and a string as long as `maxStringLength`. The
 * tree is bounded by `maxDocumentBytes`, not by a node count.
 */
export function codecLimits(limits: Readonly<ServerLimits>): Limits {
  return {
    maxStatementLength: Math.max(limits.maxFrameBytes, defaults.maxStatementLength),
    maxPathDepth: limits.maxPathDepth,
    maxArrayIndex: limits.maxArrayIndex,
    maxArrayGap: limits.maxArrayGap,
    maxStringLength: limits.maxStringLength,
    maxNodes: Number.POSITIVE_INFINITY,
  };
}

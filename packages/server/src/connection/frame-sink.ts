import type { ResolvedIdentity } from '../auth/identity.js';
import type { HostedDocument } from '../document/hosted-document.js';
import type { Member } from '../document/member.js';
import type { TokenBucket } from '../limits/token-bucket.js';
import type { FrameHandler } from './frame-handler.js';

/**
 * Where a joined connection's frames go. Without a shared log it is the
 * connection's FrameHandler: applied at once, then journaled (local
 * journal). With one (Redis), frames are appended to the document's log and
 * applied when read back from it, in the log's order, on every node.
 */
export interface FrameSink {
  handle(data: Buffer): void;
  /** The connection left its document. */
  detach?(): void;
}

/** What a shared log needs to take over a connection's frames. */
export interface Attachment {
  readonly member: Member;
  readonly identity: ResolvedIdentity;
  /** The client id its hello named, if any (`s=<seq>` change lines). */
  readonly client: string | undefined;
  /** The connection's rate limit (checked before anything is appended). */
  readonly bucket: TokenBucket;
  /** The connection's own handler: answers frames refused before the log (too large). */
  readonly local: FrameHandler;
  /** The client kept flooding after `RATE_LIMITED` rejections. */
  readonly onFlood: () => void;
}

/** A log shared by several server processes (see src/redis). */
export interface SharedLog {
  /** Waits (bounded) until this node's copy of `doc` holds revision `rev` (a resuming client). */
  catchUp(doc: HostedDocument, rev: number | undefined): Promise<void>;
  attach(doc: HostedDocument, attachment: Attachment): FrameSink;
}

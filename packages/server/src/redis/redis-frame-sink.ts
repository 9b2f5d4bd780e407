import type { RejectCode } from '@varstream/protocol';
import { problemLine } from '../change/problem.js';
import { changeIdsOf, rateLimitedUnits } from '../connection/change-ids.js';
import type { Attachment, FrameSink } from '../connection/frame-sink.js';
import { countLines } from '../limits/count-lines.js';
import type { ServerLimits } from '../options/defaults.js';
import type { DocumentReplica } from './document-replica.js';

/** A frame of `#vs ping` lines only (a client's heartbeat): nothing in it for the log. */
const PINGS_ONLY = /^(?:#vs ping(?: [^\r\n]*)?\r?\n?)+$/;

/**
 * A connection's frames on the Redis path. What only this node can decide
 * (the frame's size, the connection's rate limit) is decided here, before
 * anything is appended; the frame then goes to the document's log as sent,
 * and is applied when it comes back from the log, on every node alike.
 *
 * When Redis cannot take the frame, each change in it is rejected with
 * `UNAVAILABLE` (nothing of it applied anywhere, unless Redis stored it
 * before the connection broke: it is then applied and sent like any
 * revision, and a re-send of the same id is acknowledged as a duplicate).
 */
export class RedisFrameSink implements FrameSink {
  readonly #replica: DocumentReplica;
  readonly #a: Attachment;
  readonly #limits: Readonly<ServerLimits>;
  #limitedInARow = 0;

  constructor(replica: DocumentReplica, attachment: Attachment, limits: Readonly<ServerLimits>) {
    this.#replica = replica;
    this.#a = attachment;
    this.#limits = limits;
    replica.addLocal(attachment.member, attachment.identity, attachment.client);
  }

  handle(data: Buffer): void {
    const limits = this.#limits;
    if (
      data.length > limits.maxFrameBytes ||
      countLines(data, limits.maxLinesPerFrame) > limits.maxLinesPerFrame
    ) {
      this.#a.local.handle(data); // refused unread, as without Redis
      return;
    }
    const text = data.toString('utf8');
    if (PINGS_ONLY.test(text)) {
      this.#a.local.handle(data); // answered here: a heartbeat works while Redis is down
      return;
    }
    const units = rateLimitedUnits(text);
    let granted = true;
    for (let i = 0; i < units && granted; i++) granted = this.#a.bucket.take();
    if (!granted) {
      this.#refuse(
        text,
        'RATE_LIMITED',
        `More than ${limits.maxChangesPerSecond} changes per second (maxChangesPerSecond)`,
      );
      if (++this.#limitedInARow >= limits.maxRateLimitedInARow) this.#a.onFlood();
      return;
    }
    this.#limitedInARow = 0;
    const member = this.#a.member;
    this.#replica.append({ kind: 'frame', conn: member.id, data: text }).catch(() => {
      this.#refuse(text, 'UNAVAILABLE', 'Redis is unavailable: the change was not stored');
    });
  }

  detach(): void {
    this.#replica.removeLocal(this.#a.member);
  }

  #refuse(text: string, code: RejectCode, message: string): void {
    const { doc } = this.#replica;
    const member = this.#a.member;
    const ids = changeIdsOf(text, this.#a.client);
    const problem = { code, message, line: 1, column: 1 };
    if (ids.length === 0) doc.reply(member, problemLine(problem, undefined));
    for (const id of ids) doc.reply(member, problemLine(problem, id));
  }
}

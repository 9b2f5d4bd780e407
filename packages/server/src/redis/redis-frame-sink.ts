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
 * revision, and a re-send of the same id is acknowledged as a duplicate),
 * and so is every later frame of a client that re-sends.
 */
export class RedisFrameSink implements FrameSink {
  readonly #replica: DocumentReplica;
  readonly #a: Attachment;
  readonly #limits: Readonly<ServerLimits>;
  #limitedInARow = 0;
  /** A frame of this connection is on its way to Redis; the next ones wait here, in order. */
  #appending = false;
  readonly #waiting: string[] = [];
  /** Redis could not take a frame of this (re-sending) client: the later ones are refused. */
  #unavailable = false;

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
    if (this.#unavailable) this.#refuseUnavailable(text);
    else if (this.#appending) this.#waiting.push(text);
    else this.#append(text);
  }

  /**
   * Appends one frame; the next waits for it. A connection's frames reach
   * the log in the order it sent them, or not at all: once Redis could not
   * take one, every later frame of a client that re-sends (its hello named
   * it) is refused too, until it connects again and sends them all, in
   * order. Appended side by side, a frame refused while Redis was away
   * could be sent again after a later one that made it in, and land over
   * it. A plain writer sends nothing again: its later frames go on.
   */
  #append(text: string): void {
    this.#appending = true;
    const member = this.#a.member;
    this.#replica.append({ kind: 'frame', conn: member.id, data: text }).then(
      () => this.#appended(),
      () => {
        if (this.#a.client !== undefined) this.#unavailable = true;
        this.#refuseUnavailable(text);
        this.#appended();
      },
    );
  }

  /** The frame on its way is settled: the next one goes, or all are refused. */
  #appended(): void {
    this.#appending = false;
    if (this.#unavailable) {
      for (const waiting of this.#waiting.splice(0)) this.#refuseUnavailable(waiting);
      return;
    }
    const next = this.#waiting.shift();
    if (next !== undefined) this.#append(next);
  }

  #refuseUnavailable(text: string): void {
    this.#refuse(text, 'UNAVAILABLE', 'Redis is unavailable: the change was not stored');
  }

  detach(): void {
    // Not appended after the connection's leave: unacknowledged, the client sends them again.
    this.#waiting.length = 0;
    this.#unavailable = true;
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

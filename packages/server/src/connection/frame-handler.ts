import {
  changeIdOf,
  formatMeta,
  isMetaComment,
  isWireInteger,
  type Meta,
  PLAIN_CHANGE_LINE,
  parseMeta,
  type RejectCode,
  SEQ_CHANGE_LINE,
  Verb,
} from '@varstream/protocol';
import type { Comment, Limits, PathContext, Statement } from '@varstream/varstream';
import type { ResolvedIdentity } from '../auth/identity.js';
import { Change, type ChangeAuthor, type ChangeHead } from '../change/change.js';
import { ImpliedIds } from '../change/implied-ids.js';
import { type Problem, problemLine, problemOf } from '../change/problem.js';
import type { HostedDocument } from '../document/hosted-document.js';
import type { Member } from '../document/member.js';
import { countLines } from '../limits/count-lines.js';
import { detach } from '../limits/detach.js';
import type { TokenBucket } from '../limits/token-bucket.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import { codecLimits } from '../options/codec-limits.js';
import type { ServerLimits } from '../options/defaults.js';
import { type EntryHandler, StatementReader } from '../reading/statement-reader.js';
import { changeIdsOf } from './change-ids.js';

/** What the handler works with: one connection's view of its document. */
export interface FrameHandlerContext {
  readonly member: Member;
  readonly doc: HostedDocument;
  readonly identity: ResolvedIdentity;
  /** The connection's `^` context, kept across frames. */
  readonly context: PathContext;
  readonly limits: Readonly<ServerLimits>;
  readonly unsafeKeys: ReadonlySet<string>;
  readonly bucket: TokenBucket;
  readonly metrics: ServerMetrics;
  /** The client id its hello named (undefined for a plain client): `s=<seq>` means `<client>:<seq>`. */
  readonly client: string | undefined;
  /** The server-wide memory estimate: while it is over `maxMemoryBytes`, no change may grow a document. */
  readonly memory?: { over(): boolean; grew(bytes: number): void } | undefined;
  /** Called when the client kept flooding after `RATE_LIMITED` rejections. */
  readonly onFlood: () => void;
}

/**
 * Splits the frames of one connection into changes and hands each one to a
 * `Change` (change/change.ts), which decides whether it applies.
 *
 * A frame is VarStream text with `#vs` meta lines. Each `#vs change` line
 * starts a change (statements up to the next `#vs change` line or the end of
 * the frame); statements before any `#vs change` line form a change without
 * id. A statement that cannot be read, or a malformed `#vs` line, refuses
 * the change it is in. `#vs presence` and `#vs ping` lines are handled where
 * they appear; unknown verbs are ignored. What is decided per frame (its
 * size, its line count) or per connection (closing a client that keeps
 * flooding) is decided here.
 */
export class FrameHandler {
  readonly #c: FrameHandlerContext;
  /** The connection as the author of its changes. */
  readonly #author: ChangeAuthor;
  readonly #readerLimits: Limits;
  readonly #entries: EntryHandler = {
    statement: (statement) => this.#statement(statement),
    comment: (comment) => this.#meta(comment),
    error: (err) => this.#unreadable(err),
  };
  /** The change being read from the current frame. */
  #change: Change | undefined;
  /** Statements of the current frame that could not be read. */
  #unreadableCount = 0;
  #limitedInARow = 0;
  /** Added to the `base=` of the current frame's changes (see `handle`). */
  #baseShift = 0;

  constructor(context: FrameHandlerContext) {
    this.#c = context;
    const { limits } = context;
    this.#readerLimits = codecLimits(limits);
    this.#author = {
      doc: context.doc,
      identity: context.identity,
      context: context.context,
      unsafeKeys: context.unsafeKeys,
      connection: {
        member: context.member,
        bucket: context.bucket,
        maxChangesPerSecond: limits.maxChangesPerSecond,
        metrics: context.metrics,
        ids: new ImpliedIds(context.client, (client) =>
          context.doc.hasOtherConnection(client, context.member.id),
        ),
        memory: context.memory,
      },
    };
  }

  /**
   * Handles one frame. `baseShift` (a frame of a history Redis lost, carried
   * into the one that replaced it: redis-link.ts RECOVER) is added to the
   * `base=` of its changes, which named revisions of the old numbering; a
   * base it puts past the document's revision (a change the old history
   * accepted and this one did not) becomes the document's revision.
   */
  handle(data: Buffer, baseShift = 0): void {
    this.#baseShift = baseShift;
    const { limits } = this.#c;
    if (data.length > limits.maxFrameBytes) {
      this.#refuse(
        data,
        'FRAME_TOO_LARGE',
        `Frame of ${data.length} bytes, more than ${limits.maxFrameBytes} (maxFrameBytes)`,
      );
      return;
    }
    if (countLines(data, limits.maxLinesPerFrame) > limits.maxLinesPerFrame) {
      this.#refuse(
        data,
        'TOO_MANY_LINES',
        `More than ${limits.maxLinesPerFrame} lines in a frame (maxLinesPerFrame)`,
      );
      return;
    }
    this.#unreadableCount = 0;
    try {
      new StatementReader(this.#readerLimits, this.#entries, this.#c.context).end(
        data.toString('utf8'),
      );
      this.#close();
    } finally {
      // Only reached with an open change when something unexpected was thrown.
      this.#change?.abandon();
      this.#change = undefined;
    }
  }

  // --- splitting --------------------------------------------------------------------

  #statement(statement: Statement): void {
    this.#current().add(statement);
  }

  /** Strict readers report a bad statement once it is consumed, then go on. */
  #unreadable(err: unknown): boolean {
    this.#current().refuse(problemOf(err, undefined));
    return ++this.#unreadableCount <= this.#c.limits.maxLinesPerFrame;
  }

  #meta(entry: Comment): void {
    if (!isMetaComment(entry.text)) return;
    const plain = PLAIN_CHANGE_LINE.exec(entry.text);
    if (plain !== null) {
      this.#next({ id: detach(plain[1]!), line: entry.line, base: plain[2] });
      return;
    }
    const client = this.#c.client;
    const bySeq = client === undefined ? null : SEQ_CHANGE_LINE.exec(entry.text);
    if (bySeq !== null) {
      this.#next({ id: `${client}:${bySeq[1]}`, line: entry.line, base: bySeq[2] });
      return;
    }
    const meta = parseMeta(entry.text);
    if (meta === undefined) {
      // The statements that follow belong to a change nobody can name: refused with it.
      this.#current().refuse(badMeta('Malformed #vs line', entry.line));
      return;
    }
    switch (meta.verb) {
      case Verb.CHANGE: {
        const named = changeIdOf(meta.fields, client);
        if ('error' in named) {
          this.#next({ line: entry.line }).refuse(badMeta(named.error, entry.line));
          return;
        }
        const id = named.id === undefined ? undefined : detach(named.id);
        this.#next({ id, line: entry.line, base: meta.fields.base });
        return;
      }
      case Verb.PRESENCE:
        this.#presence(entry, meta);
        return;
      case Verb.PING:
        this.#c.doc.reply(this.#c.member, formatMeta(Verb.PONG, { t: meta.fields.t }));
        return;
      default:
        return; // hello after the start, unknown verbs: ignored
    }
  }

  /** The change statements go to: the current one, or one without id. */
  #current(): Change {
    this.#change ??= new Change(this.#author);
    return this.#change;
  }

  /** Ends the current change and starts the one `head` opens. */
  #next(head: ChangeHead): Change {
    this.#close();
    const change = new Change(this.#author, this.#shifted(head));
    this.#change = change;
    return change;
  }

  /** The head with its base moved by `#baseShift` (a malformed base stays as sent: refused). */
  #shifted(head: ChangeHead): ChangeHead {
    const shift = this.#baseShift;
    if (shift === 0 || head.base === undefined || !isWireInteger(head.base)) return head;
    const base = Math.max(0, Math.min(Number(head.base) + shift, this.#c.doc.rev));
    return { ...head, base: String(base) };
  }

  #close(): void {
    const change = this.#change;
    if (change === undefined) return;
    this.#change = undefined;
    const outcome = change.end();
    if (outcome.kind === 'duplicate') return;
    if (outcome.kind !== 'refused') this.#limitedInARow = 0;
    else if (outcome.problem.code === 'RATE_LIMITED') this.#limited();
  }

  // --- presence -----------------------------------------------------------------------

  #presence(entry: Comment, meta: Meta): void {
    const { limits } = this.#c;
    if (Buffer.byteLength(entry.text, 'utf8') + 1 > limits.maxPresenceBytes) {
      this.#c.doc.reply(
        this.#c.member,
        problemLine(
          {
            code: 'PRESENCE_TOO_LARGE',
            message: `Presence line above ${limits.maxPresenceBytes} bytes (maxPresenceBytes)`,
            line: entry.line,
            column: 1,
          },
          undefined,
        ),
      );
      return;
    }
    if (!this.#c.bucket.take()) {
      this.#reject(
        { code: 'RATE_LIMITED', message: 'Too many presence updates', line: entry.line, column: 1 },
        undefined,
      );
      this.#limited();
      return;
    }
    const fields: Record<string, string> = {};
    for (const key of Object.keys(meta.fields)) {
      if (key !== 'conn') fields[detach(key)] = detach(meta.fields[key]!);
    }
    this.#c.doc.setPresence(this.#c.member, fields);
  }

  // --- whole frames -------------------------------------------------------------------

  /** A whole frame refused before reading it: every change id in it is rejected. */
  #refuse(data: Buffer, code: RejectCode, message: string): void {
    const ids = changeIdsOf(data.toString('utf8'), this.#c.client);
    const problem: Problem = { code, message, line: 1, column: 1 };
    if (!this.#c.bucket.take()) {
      this.#reject({ ...problem, code: 'RATE_LIMITED' }, undefined);
      this.#limited();
      return;
    }
    if (ids.length === 0) this.#reject(problem, undefined);
    for (const id of ids) this.#reject(problem, id);
  }

  #reject(problem: Problem, id: string | undefined): void {
    this.#c.metrics.changesRejected.inc({ code: problem.code });
    this.#c.doc.reply(this.#c.member, problemLine(problem, id));
  }

  /** One more `RATE_LIMITED` answer in a row: a client that keeps flooding is closed. */
  #limited(): void {
    if (++this.#limitedInARow >= this.#c.limits.maxRateLimitedInARow) this.#c.onFlood();
  }
}

function badMeta(message: string, line: number): Problem {
  return { code: 'BAD_META', message, line, column: 1 };
}

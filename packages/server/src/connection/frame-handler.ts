import {
  changeIdOf,
  formatMeta,
  isMetaComment,
  isRejectCode,
  isWireInteger,
  type Meta,
  PLAIN_CHANGE_LINE,
  parseChangeId,
  parseMeta,
  type RejectCode,
  SEQ_CHANGE_LINE,
  Verb,
} from '@varstream/protocol';
import {
  type Comment,
  type Entry,
  isVarStreamError,
  type Limits,
  type PathContext,
  Reader,
  type Segment,
  type Statement,
  type VarStreamErrorCode,
} from '@varstream/varstream';
import type { ResolvedIdentity } from '../auth/identity.js';
import { writeDenied } from '../auth/scope.js';
import type { Document } from '../document/document.js';
import type { Member } from '../document/member.js';
import type { Transaction } from '../document/transaction.js';
import { ServerError } from '../errors.js';
import { countLines } from '../limits/count-lines.js';
import { detach, detachStatement } from '../limits/detach.js';
import type { TokenBucket } from '../limits/token-bucket.js';
import { findUnsafeKey } from '../limits/unsafe-keys.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { ServerLimits } from '../options/defaults.js';
import { changeIdsOf } from './change-ids.js';

/** What the handler works with: one connection's view of its document. */
export interface FrameHandlerContext {
  readonly member: Member;
  readonly doc: Document;
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

interface Problem {
  /** The protocol's (PROTOCOL.md 3.3) or the codec's. */
  readonly code: RejectCode | VarStreamErrorCode;
  readonly message: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
}

/** A change being read from a frame: statements after a `#vs change` line (or a plain frame's). */
interface Section {
  readonly id: string | undefined;
  /** `context.previous` before the section, restored if it is rejected. */
  readonly saved: Segment[];
  tx: Transaction | undefined;
  problem: Problem | undefined;
  /** The revision that already applied this id. */
  duplicateOf: number | undefined;
  /** The revision the change's text splices are based on (`base=`); undefined: the current one. */
  readonly base: number | undefined;
}

const MAX_MESSAGE = 200;

/**
 * Reads the frames of one connection and applies them to its document.
 *
 * A frame is VarStream text with `#vs` meta lines. Each `#vs change` line
 * starts a change (statements up to the next `#vs change` line or the end of
 * the frame); statements before any `#vs change` line form a change without
 * id. Each change is atomic: every statement is checked (permissions, unsafe
 * keys) and applied, then the whole is committed, or rolled back on the
 * first problem, and the connection's `^` context is restored as if the
 * change had never been sent. `#vs presence` and `#vs ping` lines are
 * handled where they appear; unknown verbs are ignored.
 */
export class FrameHandler {
  readonly #c: FrameHandlerContext;
  readonly #readerLimits: Partial<Limits>;
  #limitedInARow = 0;
  /**
   * The sequence number of this connection's last accepted change with an
   * id of its hello's client: the next one's id is implied in compact section
   * heads (see `@varstream/protocol` sections).
   */
  #lastSeq: number | undefined;

  constructor(context: FrameHandlerContext) {
    this.#c = context;
    const { limits } = context;
    this.#readerLimits = {
      maxStatementLength: limits.maxFrameBytes,
      maxPathDepth: limits.maxPathDepth,
      maxArrayIndex: limits.maxArrayIndex,
      maxArrayGap: limits.maxArrayGap,
    };
  }

  handle(data: Buffer): void {
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
    const reader = new Reader({
      strict: true,
      comments: true,
      context: this.#c.context,
      limits: this.#readerLimits,
    });
    reader.end(data.toString('utf8'));
    let section: Section | undefined;
    let errors = 0;
    try {
      for (;;) {
        let entry: Entry | null;
        try {
          entry = reader.read();
        } catch (err) {
          // Strict readers throw once the bad statement is consumed, then go on.
          section ??= this.#open(undefined);
          this.#fail(section, problemOf(err, undefined));
          if (++errors > limits.maxLinesPerFrame) break;
          continue;
        }
        if (entry === null) break;
        if (entry.op === '#') {
          section = this.#meta(entry, section);
          continue;
        }
        section ??= this.#open(undefined);
        this.#statement(section, entry);
      }
      this.#close(section);
    } finally {
      // Only reached with an open change when something unexpected was thrown.
      if (section?.tx?.open === true) this.#c.doc.rollback(section.tx);
    }
  }

  // --- meta lines ---------------------------------------------------------------

  #meta(entry: Comment, section: Section | undefined): Section | undefined {
    if (!isMetaComment(entry.text)) return section;
    const plain = PLAIN_CHANGE_LINE.exec(entry.text);
    if (plain !== null) {
      this.#close(section);
      return this.#open(detach(plain[1]!), entry.line, plain[2]);
    }
    const client = this.#c.client;
    const bySeq = client === undefined ? null : SEQ_CHANGE_LINE.exec(entry.text);
    if (bySeq !== null) {
      this.#close(section);
      return this.#open(`${client}:${bySeq[1]}`, entry.line, bySeq[2]);
    }
    const meta = parseMeta(entry.text);
    if (meta === undefined) {
      const problem: Problem = {
        code: 'BAD_META',
        message: 'Malformed #vs line',
        line: entry.line,
        column: 1,
      };
      // The statements that follow belong to a change nobody can name: refused with it.
      const poisoned = section ?? this.#open(undefined);
      this.#fail(poisoned, problem);
      return poisoned;
    }
    switch (meta.verb) {
      case Verb.CHANGE: {
        this.#close(section);
        const named = changeIdOf(meta.fields, client);
        if ('error' in named) {
          const opened = this.#open(undefined, entry.line);
          this.#fail(opened, {
            code: 'BAD_META',
            message: named.error,
            line: entry.line,
            column: 1,
          });
          return opened;
        }
        return this.#open(
          named.id === undefined ? undefined : detach(named.id),
          entry.line,
          meta.fields.base,
        );
      }
      case Verb.PRESENCE:
        this.#presence(entry, meta);
        return section;
      case Verb.PING:
        this.#c.doc.reply(this.#c.member, formatMeta(Verb.PONG, { t: meta.fields.t }));
        return section;
      default:
        return section; // hello after the start, unknown verbs: ignored
    }
  }

  #presence(entry: Comment, meta: Meta): void {
    const { limits } = this.#c;
    if (Buffer.byteLength(entry.text, 'utf8') + 1 > limits.maxPresenceBytes) {
      this.#error({
        code: 'PRESENCE_TOO_LARGE',
        message: `Presence line above ${limits.maxPresenceBytes} bytes (maxPresenceBytes)`,
        line: entry.line,
        column: 1,
      });
      return;
    }
    if (!this.#c.bucket.take()) {
      this.#rateLimited({
        code: 'RATE_LIMITED',
        message: 'Too many presence updates',
        line: entry.line,
        column: 1,
      });
      return;
    }
    const fields: Record<string, string> = {};
    for (const key of Object.keys(meta.fields)) {
      if (key !== 'conn') fields[detach(key)] = detach(meta.fields[key]!);
    }
    this.#c.doc.setPresence(this.#c.member, fields);
  }

  // --- changes ------------------------------------------------------------------

  #open(id: string | undefined, line?: number, baseField?: string): Section {
    const base = baseField === undefined ? undefined : parseBase(baseField);
    const section: Section = {
      id,
      saved: this.#c.context.previous.slice(),
      tx: undefined,
      problem: undefined,
      duplicateOf: undefined,
      base: base ?? undefined,
    };
    if (base === null || (base !== undefined && base > this.#c.doc.rev)) {
      section.problem = {
        code: 'BAD_META',
        message: `base must be a revision this document has reached (at most ${this.#c.doc.rev})`,
        line,
        column: 1,
      };
    } else if (id !== undefined && parseChangeId(id) === undefined) {
      section.problem = {
        code: 'BAD_META',
        message: 'A change id is <client>:<seq> (client: 1 to 64 of A-Z a-z 0-9 _ -, seq: digits)',
        line,
        column: 1,
      };
    } else if (!this.#c.bucket.take()) {
      section.problem = {
        code: 'RATE_LIMITED',
        message: `More than ${this.#c.limits.maxChangesPerSecond} changes per second (maxChangesPerSecond)`,
        line,
        column: 1,
      };
    } else if (this.#c.identity.access !== 'write') {
      // Even an empty change: it would take a revision, a journal record and dedup space.
      section.problem = {
        code: 'FORBIDDEN',
        message: 'This connection is read-only',
        line,
        column: 1,
      };
    } else if (id !== undefined) {
      section.duplicateOf = this.#c.doc.appliedRevision(id);
    }
    return section;
  }

  #statement(section: Section, statement: Statement): void {
    if (section.problem !== undefined || section.duplicateOf !== undefined) return;
    const { unsafeKeys, identity, doc } = this.#c;
    const unsafe =
      findUnsafeKey(statement.path, unsafeKeys) ??
      (statement.ref === undefined ? undefined : findUnsafeKey(statement.ref, unsafeKeys));
    if (unsafe !== undefined) {
      this.#fail(section, {
        code: 'UNSAFE_KEY',
        message: `The key "${unsafe}" is not allowed`,
        line: statement.line,
        column: 1,
      });
      return;
    }
    const denied = writeDenied(identity, statement.path, statement.ref, doc.tree.root);
    if (denied !== undefined) {
      this.#fail(section, { code: 'FORBIDDEN', message: denied, line: statement.line, column: 1 });
      return;
    }
    try {
      section.tx ??= doc.begin(this.#c.context, section.base, clientOf(section.id));
      // The tree, the `^` context and the revision keep what it holds: not the frame.
      section.tx.apply(detachStatement(statement));
    } catch (err) {
      this.#fail(section, problemOf(err, statement.line));
    }
  }

  #fail(section: Section, problem: Problem): void {
    if (section.problem !== undefined) return;
    section.problem = problem;
    if (section.tx !== undefined) {
      this.#c.doc.rollback(section.tx);
      section.tx = undefined;
    }
    this.#c.context.previous = section.saved;
  }

  #close(section: Section | undefined): void {
    if (section === undefined) return;
    const { doc, member, metrics, context } = this.#c;
    if (section.duplicateOf !== undefined) {
      metrics.duplicates.inc();
      doc.reply(
        member,
        formatMeta(Verb.ACK, { id: section.id, rev: section.duplicateOf, duplicate: 1 }),
      );
      return;
    }
    if (section.problem !== undefined) {
      context.previous = section.saved;
      if (section.problem.code === 'RATE_LIMITED') this.#rateLimited(section.problem, section.id);
      else this.#reject(section.problem, section.id);
      return;
    }
    this.#limitedInARow = 0;
    if (section.tx === undefined) {
      // Nothing but comments. With an id, the client still waits for an answer:
      // acknowledged at the current revision, without making one.
      if (section.id !== undefined) {
        doc.reply(member, formatMeta(Verb.ACK, { id: section.id, rev: doc.rev, empty: 1 }));
      }
      return;
    }
    if (section.tx.delta > 0 && this.#c.memory?.over() === true) {
      doc.rollback(section.tx);
      section.tx = undefined;
      context.previous = section.saved;
      this.#reject(
        {
          code: 'SERVER_FULL',
          message:
            'The server memory budget is reached (maxMemoryBytes): only changes that do not grow the document are accepted',
          line: undefined,
          column: undefined,
        },
        section.id,
      );
      return;
    }
    try {
      // Its section comes back to every member, this one included: that is
      // the acknowledgement, for plain and protocol clients alike.
      const live = this.#liveId(section.id);
      const delta = section.tx.delta;
      doc.commit(section.tx, member, section.id, live);
      if (delta > 0) this.#c.memory?.grew(delta);
      if (live.seq !== undefined) this.#lastSeq = live.seq;
    } catch (err) {
      context.previous = section.saved;
      this.#reject(problemOf(err, undefined), section.id);
    } finally {
      section.tx = undefined;
    }
  }

  /**
   * The `id` field of the change's compact section head: left out when the
   * author can imply it (the next sequence number of its client), '' for a
   * protocol client's change without id, else the id. `seq`: the sequence
   * number to remember once the change is committed.
   */
  #liveId(id: string | undefined): { id: string | undefined; seq?: number } {
    const client = this.#c.client;
    if (client === undefined) return { id };
    if (id === undefined) return { id: '' };
    const parsed = parseChangeId(id);
    if (parsed === undefined || parsed.client !== client) return { id };
    const implied = this.#lastSeq !== undefined && parsed.seq === this.#lastSeq + 1;
    return { id: implied ? undefined : id, seq: parsed.seq };
  }

  // --- answers ------------------------------------------------------------------

  /** A whole frame refused before reading it: every change id in it is rejected. */
  #refuse(data: Buffer, code: RejectCode, message: string): void {
    const ids = changeIdsOf(data.toString('utf8'), this.#c.client);
    const problem: Problem = { code, message, line: 1, column: 1 };
    if (!this.#c.bucket.take()) {
      this.#rateLimited({ ...problem, code: 'RATE_LIMITED' });
      return;
    }
    if (ids.length === 0) this.#reject(problem, undefined);
    for (const id of ids) this.#reject(problem, id);
  }

  #rateLimited(problem: Problem, id?: string): void {
    this.#reject(problem, id);
    if (++this.#limitedInARow >= this.#c.limits.maxRateLimitedInARow) this.#c.onFlood();
  }

  #reject(problem: Problem, id: string | undefined): void {
    this.#c.metrics.changesRejected.inc({ code: problem.code });
    if (id === undefined) {
      this.#error(problem);
      return;
    }
    this.#c.doc.reply(
      this.#c.member,
      formatMeta(Verb.REJECT, {
        id,
        code: problem.code,
        line: problem.line,
        column: problem.column,
        message: clip(problem.message),
      }),
    );
  }

  #error(problem: Problem): void {
    this.#c.doc.reply(
      this.#c.member,
      formatMeta(Verb.ERROR, {
        code: problem.code,
        line: problem.line,
        column: problem.column,
        message: clip(problem.message),
      }),
    );
  }
}

/** A `base=` field: decimal digits (1 to 15); null when malformed. */
function parseBase(text: string): number | null {
  return isWireInteger(text) ? Number(text) : null;
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

function problemOf(err: unknown, line: number | undefined): Problem {
  if (isVarStreamError(err)) {
    return { code: err.code, message: err.reason, line: err.line ?? line, column: err.column };
  }
  if (err instanceof ServerError && isRejectCode(err.code)) {
    return { code: err.code, message: err.message, line: err.line ?? line, column: err.column };
  }
  throw err;
}

/** The client part of a change id (`<client>:<seq>`). */
function clientOf(id: string | undefined): string | undefined {
  return id === undefined ? undefined : id.slice(0, id.indexOf(':'));
}

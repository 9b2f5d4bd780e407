import {
  formatMeta,
  isWireInteger,
  parseChangeId,
  type RejectCode,
  Verb,
} from '@varstream/protocol';
import type { PathContext, Segment, Statement } from '@varstream/varstream';
import { idOwner } from '../auth/id-owner.js';
import type { ResolvedIdentity } from '../auth/identity.js';
import { writeDenied } from '../auth/scope.js';
import type { HostedDocument } from '../document/hosted-document.js';
import type { Member } from '../document/member.js';
import type { Revision } from '../document/revision.js';
import type { Transaction } from '../document/transaction.js';
import { ServerError } from '../errors.js';
import { detachStatement } from '../limits/detach.js';
import type { TokenBucket } from '../limits/token-bucket.js';
import { unsafeKeyOf } from '../limits/unsafe-keys.js';
import type { ServerMetrics } from '../metrics/metrics.js';
import type { ImpliedIds } from './implied-ids.js';
import { type Problem, problemLine, problemOf, type ThrownProblem } from './problem.js';

/** Who sends changes to a document, and what their changes are checked against. */
export interface ChangeAuthor {
  readonly doc: HostedDocument;
  /** What the author may write (its access and scope). */
  readonly identity: ResolvedIdentity;
  /** The author's `^` context: put back as it was when one of its changes is refused. */
  readonly context: PathContext;
  /** Keys no statement may write or refer to. */
  readonly unsafeKeys: ReadonlySet<string>;
  /** A client connection (absent: a server-side write, whose caller gets the outcome). */
  readonly connection?: ConnectionAuthor | undefined;
}

/** What a change sent over a connection is also bound by, and where its answer goes. */
export interface ConnectionAuthor {
  /** Told the outcome: an ack, a rejection (its accepted change comes back as a revision). */
  readonly member: Member;
  /** One token per change. */
  readonly bucket: TokenBucket;
  /** The bucket's rate, for the `RATE_LIMITED` message. */
  readonly maxChangesPerSecond: number;
  readonly metrics: ServerMetrics;
  /** The ids its compact section heads imply. */
  readonly ids: ImpliedIds;
  /** The server-wide memory estimate: while it is over `maxMemoryBytes`, no change may grow a document. */
  readonly memory?: { over(): boolean; grew(bytes: number): void } | undefined;
}

/** The head of a change: its `#vs change` line, as read. */
export interface ChangeHead {
  /** `<client>:<seq>` (undefined: a change without id). */
  readonly id?: string | undefined;
  /** The `base=` field as sent: the revision its text splices were written against. */
  readonly base?: string | undefined;
  /** The line of the `#vs change` line in its frame. */
  readonly line?: number | undefined;
  /**
   * False (server-side writes that ask for it): a statement that fails is
   * skipped and the others still apply. Default true: the first problem
   * refuses the whole change.
   */
  readonly atomic?: boolean;
}

/** How a change ended. Its author was told (when it is a connection). */
export type ChangeOutcome =
  /** A revision: sent to every member, its author included (that is its acknowledgement). */
  | { readonly kind: 'accepted'; readonly revision: Revision }
  /** Its id was applied already, as revision `rev`: acknowledged again, nothing applied. */
  | { readonly kind: 'duplicate'; readonly rev: number }
  /** Nothing to apply (comments only): acknowledged at the current revision when it has an id. */
  | { readonly kind: 'empty'; readonly rev: number }
  /** Refused before it could be committed (its head, its rate, a statement). */
  | { readonly kind: 'refused'; readonly problem: Problem }
  /** Refused when it was committed (the document would be too large or too deep, the server full). */
  | { readonly kind: 'rejected'; readonly problem: ThrownProblem };

/**
 * One change, from its head to its outcome: the only place that decides
 * whether a change applies. It checks the head (its `base=`, its id, the
 * author's rate limit and access, a duplicate id), then every statement
 * (unsafe keys, the author's scope, parents included) before applying it
 * through the document's transaction, and finally commits it, or rolls it
 * back on the first problem. A refused change leaves nothing behind: the
 * tree is as it was (a rollback costs what the change touched) and so is
 * the author's `^` context. The author's connection is told the outcome
 * (`#vs ack` of a duplicate or an empty change, `#vs reject` / `#vs error`).
 *
 * Synchronous from the first statement to `end()`: a document has one open
 * change at a time.
 */
export class Change {
  readonly id: string | undefined;
  readonly #author: ChangeAuthor;
  readonly #base: number | undefined;
  readonly #atomic: boolean;
  /** `context.previous` before the change, put back when it is refused. */
  readonly #saved: Segment[];
  #tx: Transaction | undefined;
  #problem: Problem | undefined;
  /** The revision that already applied this id. */
  #duplicateOf: number | undefined;
  #ended = false;

  constructor(author: ChangeAuthor, head: ChangeHead = {}) {
    this.#author = author;
    this.id = head.id;
    this.#atomic = head.atomic ?? true;
    this.#saved = author.context.previous.slice();
    const base = head.base === undefined ? undefined : parseBase(head.base);
    this.#base = base ?? undefined;
    this.#problem = this.#admit(head.id, base, head.line);
    if (this.#problem === undefined && head.id !== undefined) {
      this.#duplicateOf = author.doc.appliedRevision(head.id, idOwner(author.identity));
    }
  }

  /** The problem that refused the change, if any. */
  get problem(): Problem | undefined {
    return this.#problem;
  }

  /** Statements applied so far. */
  get applied(): number {
    return this.#tx?.count ?? 0;
  }

  /** Opens the document's transaction now (throws when the document cannot be written) rather than at the first statement. */
  start(): void {
    if (this.#problem === undefined) this.#tx ??= this.#begin();
  }

  /**
   * Checks and applies one statement (ignored once the change is refused or
   * a duplicate). Returns its problem: in an atomic change, the change is
   * then refused; otherwise the statement is skipped.
   */
  add(statement: Statement): ThrownProblem | undefined {
    if (this.#problem !== undefined || this.#duplicateOf !== undefined) return undefined;
    let problem = this.#check(statement);
    if (problem === undefined) {
      try {
        this.#tx ??= this.#begin();
        // The tree, the `^` context and the revision keep what it holds: not the frame.
        this.#tx.apply(detachStatement(statement));
        return undefined;
      } catch (err) {
        problem = problemOf(err, statement.line);
      }
    }
    if (this.#atomic) this.refuse(problem);
    return problem;
  }

  /**
   * Refuses the change (the first problem is the one told): what it applied
   * is rolled back, the author's `^` context put back, and whatever follows
   * it is ignored.
   */
  refuse(problem: Problem): void {
    if (this.#problem !== undefined) return;
    this.#problem = problem;
    this.#rollback();
  }

  /**
   * Ends the change: commits it as a revision, unless it was refused, is a
   * duplicate or holds nothing. Its author's connection is told, and the
   * outcome returned.
   */
  end(): ChangeOutcome {
    if (this.#ended) throw new Error('Change already ended');
    this.#ended = true;
    const { doc } = this.#author;
    if (this.#duplicateOf !== undefined) {
      this.#author.connection?.metrics.duplicates.inc();
      this.#tell(formatMeta(Verb.ACK, { id: this.id, rev: this.#duplicateOf, duplicate: 1 }));
      return { kind: 'duplicate', rev: this.#duplicateOf };
    }
    if (this.#problem !== undefined) {
      // The reader went on expanding `^` through the statements it ignored.
      this.#author.context.previous = this.#saved;
      return this.#refused(this.#problem);
    }
    const tx = this.#tx;
    if (tx === undefined) {
      // Nothing but comments. With an id, the client still waits for an answer:
      // acknowledged at the current revision, without making one.
      if (this.id !== undefined)
        this.#tell(formatMeta(Verb.ACK, { id: this.id, rev: doc.rev, empty: 1 }));
      return { kind: 'empty', rev: doc.rev };
    }
    const memory = this.#author.connection?.memory;
    if (tx.delta > 0 && memory?.over() === true) {
      this.#rollback();
      return this.#rejected(
        new Refusal(
          'SERVER_FULL',
          'The server memory budget is reached (maxMemoryBytes): only changes that do not grow the document are accepted',
          undefined,
          undefined,
        ),
      );
    }
    const connection = this.#author.connection;
    try {
      const delta = tx.delta;
      const live = connection === undefined ? { id: this.id } : connection.ids.head(this.id);
      const owner = idOwner(this.#author.identity);
      const revision = doc.commit(tx, connection?.member, this.id, live, owner);
      connection?.ids.accepted(live);
      if (delta > 0) memory?.grew(delta);
      return { kind: 'accepted', revision };
    } catch (err) {
      this.#rollback();
      return this.#rejected(problemOf(err, undefined));
    } finally {
      this.#tx = undefined;
    }
  }

  /**
   * Ends a change that `end()` did not: what it applied is rolled back and
   * the `^` context put back, nobody is told. Nothing once it ended.
   */
  abandon(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#rollback();
  }

  // --- checks ---------------------------------------------------------------------

  /** What refuses the change from its head alone, in this order, or undefined. */
  #admit(
    id: string | undefined,
    base: number | null | undefined,
    line: number | undefined,
  ): Problem | undefined {
    const { doc, identity, connection } = this.#author;
    if (base === null || (base !== undefined && base > doc.rev)) {
      return headProblem(
        'BAD_META',
        `base must be a revision this document has reached (at most ${doc.rev})`,
        line,
      );
    }
    if (id !== undefined && parseChangeId(id) === undefined) {
      return headProblem(
        'BAD_META',
        'A change id is <client>:<seq> (client: 1 to 64 of A-Z a-z 0-9 _ -, seq: digits)',
        line,
      );
    }
    if (connection !== undefined && !connection.bucket.take()) {
      return headProblem(
        'RATE_LIMITED',
        `More than ${connection.maxChangesPerSecond} changes per second (maxChangesPerSecond)`,
        line,
      );
    }
    if (identity.access !== 'write') {
      // Even an empty change: it would take a revision, a journal record and dedup space.
      return headProblem('FORBIDDEN', 'This connection is read-only', line);
    }
    return undefined;
  }

  /** Why the statement may not apply (an unsafe key, outside the author's scope), or undefined. */
  #check(statement: Statement): ThrownProblem | undefined {
    const { identity, unsafeKeys, doc } = this.#author;
    const unsafe = unsafeKeyOf(statement, unsafeKeys);
    if (unsafe !== undefined) {
      return new Refusal('UNSAFE_KEY', `The key "${unsafe}" is not allowed`, statement.line, 1);
    }
    const denied = writeDenied(identity, statement.path, statement.ref, doc.tree.root);
    return denied === undefined ? undefined : new Refusal('FORBIDDEN', denied, statement.line, 1);
  }

  // --- transaction and answers -------------------------------------------------------

  #begin(): Transaction {
    const { doc, context } = this.#author;
    return doc.begin(context, this.#base, clientOf(this.id));
  }

  #rollback(): void {
    const tx = this.#tx;
    if (tx !== undefined) {
      this.#tx = undefined;
      if (tx.open) this.#author.doc.rollback(tx);
    }
    this.#author.context.previous = this.#saved;
  }

  #refused(problem: Problem): ChangeOutcome {
    this.#tellProblem(problem);
    return { kind: 'refused', problem };
  }

  #rejected(problem: ThrownProblem): ChangeOutcome {
    this.#tellProblem(problem);
    return { kind: 'rejected', problem };
  }

  #tellProblem(problem: Problem): void {
    const connection = this.#author.connection;
    if (connection === undefined) return;
    connection.metrics.changesRejected.inc({ code: problem.code });
    this.#tell(problemLine(problem, this.id));
  }

  #tell(line: string): void {
    const member = this.#author.connection?.member;
    if (member !== undefined) this.#author.doc.reply(member, line);
  }
}

function headProblem(code: RejectCode, message: string, line: number | undefined): Problem {
  return { code, message, line, column: 1 };
}

/**
 * A problem found by a check rather than thrown: its error is only made if
 * asked for (server-side writes), so that refusing costs no stack trace.
 */
class Refusal implements ThrownProblem {
  readonly code: 'UNSAFE_KEY' | 'FORBIDDEN' | 'SERVER_FULL';
  readonly message: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  #error: ServerError | undefined;

  constructor(
    code: Refusal['code'],
    message: string,
    line: number | undefined,
    column: number | undefined,
  ) {
    this.code = code;
    this.message = message;
    this.line = line;
    this.column = column;
  }

  get error(): ServerError {
    this.#error ??= new ServerError(this.code, this.message, {
      line: this.line,
      column: this.column,
    });
    return this.#error;
  }
}

/** A `base=` field: decimal digits (1 to 15); null when malformed. */
function parseBase(text: string): number | null {
  return isWireInteger(text) ? Number(text) : null;
}

/** The client part of a change id (`<client>:<seq>`). */
function clientOf(id: string | undefined): string | undefined {
  return id === undefined ? undefined : id.slice(0, id.indexOf(':'));
}

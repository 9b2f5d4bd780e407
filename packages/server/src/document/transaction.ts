import {
  APPEND,
  type Change,
  canonicalize,
  canonicalReset,
  composeTextOps,
  formatPath,
  isAliased,
  isContainer,
  type Path,
  type PathContext,
  plainStatement,
  RESET,
  REWRITE_MAX_LENGTH,
  refersIntoReplaced,
  type Statement,
  StatementWriter,
  spliceStatement,
  spliceToOp,
  type TextOp,
  type Tree,
  textEffect,
  type WritableStatement,
} from '@varstream/varstream';
import { ServerError } from '../errors.js';
import type { MeasureBudget } from '../limits/measure-budget.js';
import { removedSize, writtenSize } from '../limits/value-size.js';
import type { TextEvent, TextHistory } from './text-history.js';
import { TextRebase } from './text-rebase.js';

/**
 * One change being applied to a document's tree: statements go in one by
 * one (each applied at once, so `^` follows what was really applied), their
 * canonical lines are collected, and the document commits or rolls back the
 * whole. Only one is open per document at a time, and never across an await.
 *
 * Every statement costs O(its own size): the size estimate counts what it
 * writes, and what it removes when that is a scalar; removed containers are
 * only measured after the commit (`removedBytes`), so a change that is then
 * rolled back never walks what it removed.
 */
export class Transaction {
  readonly context: PathContext;
  readonly #tree: Tree;
  readonly #writer: StatementWriter;
  /** Made at the first splice. */
  #rebase: TextRebase | undefined;
  readonly #rebaseArgs: ConstructorParameters<typeof TextRebase>;
  /** The body for readers without the splice extension; undefined while it equals `#body`. */
  /**
   * Once a splice is written: the body so far, then the plain form of each
   * later statement, formatted only when the plain body is asked for (no
   * reader without the extension, no journal: never).
   */
  #plainParts: (string | WritableStatement)[] | undefined;
  #plainBody: string | undefined;
  /**
   * Once a splice is written: the journal's form of the body (see
   * `journalBody`), parts as in `#plainParts`.
   */
  #journalParts: (string | WritableStatement)[] | undefined;
  /** Roughly how long the plain body is (what the values it holds weigh). */
  #plainLength = 0;
  /** What the applied statements did to strings, recorded with the revision on commit. */
  readonly #events: Omit<TextEvent, 'rev'>[] = [];
  /**
   * By string (`formatPath`): its splices in this change as written, composed
   * (undefined once a `+=` appended to it: not a splice), and the index of its
   * last event, which carries it (TextEvent.written).
   */
  readonly #written = new Map<string, { op: TextOp | undefined; event: number }>();
  #body = '';
  #delta = 0;
  #count = 0;
  #open = true;
  /** Containers removed (with their keys), measured after the commit. */
  #removed: unknown[] = [];
  #depthBound: number;
  readonly #maxPathDepth: number;
  readonly #budget: MeasureBudget | undefined;

  /**
   * `limits.bound`: a bound on the depth of every value in the tree before
   * this change (see `depthBound`); `limits.maxPathDepth`: the longest path a
   * statement may write; `limits.maxSpliceParts`: see text-rebase.ts;
   * `limits.budget`: pays for work that grows with the document (see
   * `#applyOne`).
   */
  constructor(
    tree: Tree,
    writer: StatementWriter,
    context: PathContext,
    history: TextHistory,
    base: number | undefined,
    limits: {
      readonly bound: number;
      readonly maxPathDepth: number;
      readonly maxSpliceParts: number;
      readonly budget?: MeasureBudget | undefined;
    },
    author?: string,
  ) {
    this.#tree = tree;
    this.#writer = writer;
    this.context = context;
    this.#rebaseArgs = [history, base, limits.maxSpliceParts, author, limits.budget];
    this.#depthBound = limits.bound;
    this.#maxPathDepth = limits.maxPathDepth;
    this.#budget = limits.budget;
    tree.begin();
    writer.reset(); // every section starts with an absolute path
  }

  get open(): boolean {
    return this.#open;
  }

  /**
   * Applies one statement; throws (a VarStreamError or a ServerError) and
   * changes nothing when it cannot apply. A `~=` splice is first transformed
   * against the splices accepted after the change's base revision
   * (text-rebase.ts): it may become several splices, or none (its string was
   * replaced meanwhile); the last change applied is returned, undefined for none.
   */
  apply(statement: Statement): Change | undefined {
    if (!this.#open) throw new Error('Transaction already ended');
    if (statement.op !== '~=') return this.#applyOne(statement);
    this.#rebase ??= new TextRebase(...this.#rebaseArgs);
    const splices = this.#rebase.rebase(statement);
    let last: Change | undefined;
    for (const splice of splices) {
      last = this.#applyOne(splice === statement.splice ? statement : { ...statement, splice });
    }
    // Only a change with a base is brought to a later splice's (text-history.ts).
    const based = this.#rebaseArgs[1] !== undefined;
    if (last !== undefined && based) this.#wrote(last.path, spliceToOp(statement.splice!));
    return last;
  }

  /** Keeps `op`, a splice as written, with the change's earlier ones on the string at `path`. */
  #wrote(path: Path, op: TextOp): void {
    const key = formatPath(path);
    const event = this.#events.length - 1;
    const entry = this.#written.get(key);
    if (entry === undefined) this.#written.set(key, { op, event });
    else {
      entry.op = entry.op === undefined ? undefined : composeTextOps(entry.op, op);
      entry.event = event;
    }
  }

  /**
   * `!` on an array that `&=` shared empties it in place (every alias sees
   * it), and saving its elements for a rollback costs their count: paid from
   * the document's measure budget (SAVED_ELEMENT_BYTES an element) once done, and refused (`BUSY`) while the budget is in
   * debt. An array nothing else refers to is swapped in O(1): free.
   */
  #applyOne(statement: Statement): Change {
    const budget = this.#budget;
    const resets = budget !== undefined && statement.path.includes(RESET);
    if (resets && !budget.available() && this.#resetsShared(statement.path)) {
      throw new ServerError(
        'BUSY',
        'Emptying shared arrays (`!`) took more work than the server can afford now (measureBytesPerSecond): send it again later',
      );
    }
    const splices = budget !== undefined && statement.op === '~=';
    if (splices && !budget.available() && this.#longString(statement.path)) {
      throw new ServerError(
        'BUSY',
        'Splices into long strings took more work than the server can afford now (measureBytesPerSecond): send it again later',
      );
    }
    const saved = this.#tree.elementsSaved;
    const change = this.#tree.apply(statement, this.context);
    if (resets) budget.spend(SAVED_ELEMENT_BYTES * (this.#tree.elementsSaved - saved));
    if (splices) budget.spend(spliceCost(change.result));
    const reset = canonicalReset(change); // an array replaced with an object, for 0.3.2 readers
    if (reset !== undefined && refersIntoReplaced(change) && isContainer(change.result)) {
      throw new ServerError(
        'REF_REPLACED',
        '`&=` refers to a container inside the array its own path replaces with an object',
      );
    }
    if (reset !== undefined) {
      this.#write(reset, change);
      this.#events.push({ path: reset.path, op: undefined });
    }
    this.#write(spliceStatement(change, canonicalize(change)), change);
    const event = textEffect(change);
    // Only a change with a base transforms splices (and needs what it replaced itself).
    if (event.op === undefined && this.#rebaseArgs[1] !== undefined) {
      this.#rebase ??= new TextRebase(...this.#rebaseArgs);
      this.#rebase.replaced(event.path);
    }
    this.#events.push(event);
    if (statement.op !== '~=' && event.op !== undefined) {
      // A `+=` on a string: not a splice, its author's view of it is not kept.
      this.#written.set(formatPath(event.path), { op: undefined, event: this.#events.length - 1 });
    }
    this.#account(change);
    this.#count++;
    return change;
  }

  /** True when `path` holds a string that a splice pays for (see `spliceCost`). */
  #longString(path: Path): boolean {
    return spliceCost(this.#tree.get(path)) > 0;
  }

  /** True when the first `!` of `path` empties an existing array that `&=` shared. */
  #resetsShared(path: Path): boolean {
    const at = path.indexOf(RESET);
    for (let d = 0; d < at; d++) if (path[d] === APPEND) return false; // a new array
    const target = this.#tree.get(path.slice(0, at));
    return Array.isArray(target) && target.length > 0 && isAliased(target);
  }

  #account(change: Change): void {
    const path = change.path;
    const key = path.length === 0 ? '' : path[path.length - 1]!;
    const { previous, result } = change;
    const refLength = change.op === '&=' ? (change.ref?.length ?? 0) : 0;
    this.#delta += writtenSize(result, key, refLength);
    if (previous !== null && typeof previous === 'object') this.#removed.push(previous, key);
    else this.#delta -= removedSize(previous, key);
    if (change.op === '&=' && result !== null && typeof result === 'object') {
      this.#depthBound = aliasDepthBound(this.#depthBound, this.#maxPathDepth, refLength);
    }
  }

  #write(statement: WritableStatement, change: Change): void {
    const line = this.#writer.write(statement);
    if (statement.op === '~=' && this.#plainParts === undefined) {
      // The first splice: from here on, plain readers get their own body.
      this.#plainParts = [this.#body];
      this.#journalParts = [this.#body];
      this.#plainLength = this.#body.length;
    }
    this.#body += line;
    const parts = this.#plainParts;
    if (parts !== undefined) {
      const plain = plainStatement(statement, change);
      parts.push(plain);
      this.#journalParts?.push(journalStatement(statement, plain));
      this.#plainLength += line.length + (typeof plain.value === 'string' ? plain.value.length : 0);
      this.#plainBody = undefined;
    }
  }

  /** The canonical statements applied so far (`~=` splices kept). */
  get body(): string {
    return this.#body;
  }

  /** The same statements for readers without the splice extension (splices as `=`). */
  get plainBody(): string {
    const parts = this.#plainParts;
    if (parts === undefined) return this.#body;
    this.#plainBody ??= writeParts(parts);
    return this.#plainBody;
  }

  /**
   * The statements as the journal keeps them: a splice into a string longer
   * than `REWRITE_MAX_LENGTH` stays a splice (as long as the edit, not as the
   * string: writing the whole string cost O(string) per keystroke), a splice
   * into a shorter string is written as its value, as for plain readers
   * (readable by varstream 0.3.2). Without splices, `body`.
   */
  get journalBody(): string {
    const parts = this.#journalParts;
    return parts === undefined ? this.#body : writeParts(parts);
  }

  /** About how many characters `plainBody` holds, without formatting it. */
  get plainLength(): number {
    return this.#plainParts === undefined ? this.#body.length : this.#plainLength;
  }

  /** True when some statement is a splice (`body` and `plainBody` differ). */
  get hasSplices(): boolean {
    return this.#plainParts !== undefined;
  }

  /** What the statements did to strings (for the document's text history). */
  get events(): readonly Omit<TextEvent, 'rev'>[] {
    if (this.#written.size === 0) return this.#events;
    const events = this.#events.slice();
    for (const { op, event } of this.#written.values()) {
      if (op !== undefined) {
        events[event] = { ...events[event]!, written: op, writtenBase: this.#rebaseArgs[1] };
      }
    }
    return events;
  }

  /** Estimated change of the document's size, in bytes, removed containers not counted. */
  get delta(): number {
    return this.#delta;
  }

  /**
   * A bound on the depth of every value in the tree after this change
   * (before any statement still to come writes up to `maxPathDepth` below
   * it). Only `&=` of a container raises it.
   */
  get depthBound(): number {
    return this.#depthBound;
  }

  get count(): number {
    return this.#count;
  }

  /** Ends the transaction: keeps (`commit`) or undoes every statement. Called by the document. */
  end(commit: boolean): void {
    if (!this.#open) return;
    this.#open = false;
    if (commit) this.#tree.commit();
    else this.#tree.rollback();
    if (!commit) this.#removed = [];
  }

  /**
   * After the commit: the estimated bytes of the containers the change
   * removed, when cheap and certain (see `removedSize`). Costs at most what
   * the change removed, once.
   */
  removedBytes(): number {
    let total = 0;
    const removed = this.#removed;
    for (let i = 0; i < removed.length; i += 2) {
      total += removedSize(removed[i], removed[i + 1] as string | number);
    }
    this.#removed = [];
    return total;
  }
}

/** A body written from its parts: the text before the first splice, then statements, each line written by one writer (`^` across them). */
function writeParts(parts: readonly (string | WritableStatement)[]): string {
  const writer = new StatementWriter();
  let text = '';
  for (const part of parts) text += typeof part === 'string' ? part : writer.write(part);
  return text;
}

/** A statement as the journal keeps it (see `Transaction.journalBody`): `plain` is its form for plain readers. */
function journalStatement(
  statement: WritableStatement,
  plain: WritableStatement,
): WritableStatement {
  if (statement.op !== '~=') return statement;
  const value = plain.value;
  return typeof value === 'string' && value.length > REWRITE_MAX_LENGTH ? statement : plain;
}

/** Strings up to this length are spliced for free (see `spliceCost`). */
const SPLICE_FREE_LENGTH = 65_536;

/**
 * What a splice that leaves `result` costs, in bytes of measure budget. A
 * splice copies its whole string (a JavaScript string cannot be edited in
 * place: 2 to 5 ms for 1.9 MB, whatever the edit), about a sixteenth of the
 * cost of walking as many bytes of tree: a string longer than
 * SPLICE_FREE_LENGTH costs its length / 16. One connection could otherwise
 * keep a core busy with one-character splices within its change rate.
 */
function spliceCost(result: unknown): number {
  if (typeof result !== 'string' || result.length <= SPLICE_FREE_LENGTH) return 0;
  return Math.ceil(result.length / 16);
}

/**
 * What saving (and restoring) one element of a shared array costs, in bytes
 * of measure budget: about as long as walking that many bytes of document
 * (0.3 to 0.6 µs an element on a busy 2-core machine).
 */
const SAVED_ELEMENT_BYTES = 64;

/**
 * The depth bound after `&=` places a container found at a path of
 * `refLength` segments. Let T bound every value's depth, counting that any
 * statement may still write `maxPathDepth` below what exists: the container
 * is at most T - refLength high, and its new parent at most T deep, so
 * nothing is deeper than 2T + 1 - refLength.
 */
function aliasDepthBound(bound: number, maxPathDepth: number, refLength: number): number {
  const t = bound + maxPathDepth;
  return Math.max(t, 2 * t + 1 - refLength);
}

import {
  type Change,
  canonicalize,
  EMPTY_OBJECT,
  type PathContext,
  plainStatement,
  type Statement,
  StatementWriter,
  type Tree,
  textEffect,
  type WritableStatement,
} from '@varstream/varstream';
import { estimateSize, keyCost } from '../limits/value-size.js';
import { arrayReplacedByKey } from './legacy-compat.js';
import type { TextEvent, TextHistory } from './text-history.js';
import { TextRebase } from './text-rebase.js';

/**
 * One change being applied to a document's tree: statements go in one by
 * one (each applied at once, so `^` follows what was really applied), their
 * canonical lines are collected, and the document commits or rolls back the
 * whole. Only one is open per document at a time, and never across an await.
 */
export class Transaction {
  readonly context: PathContext;
  readonly #tree: Tree;
  readonly #writer: StatementWriter;
  readonly #rebase: TextRebase;
  /** The body for readers without the splice extension; undefined while it equals `#body`. */
  #plainBody: string | undefined;
  #plainWriter: StatementWriter | undefined;
  /** What the applied statements did to strings, recorded with the revision on commit. */
  readonly #events: Omit<TextEvent, 'rev'>[] = [];
  #body = '';
  #delta = 0;
  #count = 0;
  #open = true;

  constructor(
    tree: Tree,
    writer: StatementWriter,
    context: PathContext,
    history: TextHistory,
    base: number | undefined,
  ) {
    this.#tree = tree;
    this.#writer = writer;
    this.context = context;
    this.#rebase = new TextRebase(history, base);
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
    const splices = this.#rebase.rebase(statement);
    let last: Change | undefined;
    for (const splice of splices) {
      last = this.#applyOne(splice === statement.splice ? statement : { ...statement, splice });
    }
    return last;
  }

  #applyOne(statement: Statement): Change {
    const replaced = arrayReplacedByKey(this.#tree.root, statement.path);
    const change = this.#tree.apply(statement, this.context);
    if (replaced !== -1) {
      // WORKAROUND (codec issue 1, see legacy-compat.ts): make the replacement explicit.
      const path = change.path.slice(0, replaced);
      this.#write({ op: '=', path, value: EMPTY_OBJECT }, change);
      this.#events.push({ path, op: undefined });
    }
    this.#write(canonicalize(change), change);
    const event = textEffect(change);
    if (event.op === undefined) this.#rebase.replaced(event.path);
    this.#events.push(event);
    this.#delta += sizeDelta(change);
    this.#count++;
    return change;
  }

  #write(statement: WritableStatement, change: Change): void {
    const line = this.#writer.write(statement);
    if (statement.op === '~=' && this.#plainBody === undefined) {
      // The first splice: from here on, plain readers get their own body.
      this.#plainBody = this.#body;
      this.#plainWriter = new StatementWriter();
    }
    this.#body += line;
    if (this.#plainBody !== undefined) {
      this.#plainBody += this.#plainWriter!.write(plainStatement(statement, change));
    }
  }

  /** The canonical statements applied so far (`~=` splices kept). */
  get body(): string {
    return this.#body;
  }

  /** The same statements for readers without the splice extension (splices as `=`). */
  get plainBody(): string {
    return this.#plainBody ?? this.#body;
  }

  /** True when some statement is a splice (`body` and `plainBody` differ). */
  get hasSplices(): boolean {
    return this.#plainBody !== undefined;
  }

  /** What the statements did to strings (for the document's text history). */
  get events(): readonly Omit<TextEvent, 'rev'>[] {
    return this.#events;
  }

  /** Estimated change of the document's size, in bytes. */
  get delta(): number {
    return this.#delta;
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
  }
}

function sizeDelta(change: Change): number {
  const path = change.path;
  const key = path.length === 0 ? '' : path[path.length - 1]!;
  const before = change.previous === undefined ? 0 : estimateSize(change.previous, key);
  let after = 0;
  if (change.result !== undefined) {
    if (change.op === '&=' && change.result !== null && typeof change.result === 'object') {
      // A shared container is written once; here it costs one `&=` line.
      after = keyCost(key) + 2 + (change.ref?.length ?? 0) * 8;
    } else {
      after = estimateSize(change.result, key);
    }
  }
  return after - before;
}

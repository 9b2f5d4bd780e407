import {
  type Change,
  canonicalize,
  EMPTY_OBJECT,
  type PathContext,
  type Statement,
  type StatementWriter,
  type Tree,
} from '@varstream/varstream';
import { estimateSize, keyCost } from '../limits/value-size.js';
import { arrayReplacedByKey } from './legacy-compat.js';

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
  #body = '';
  #delta = 0;
  #count = 0;
  #open = true;

  constructor(tree: Tree, writer: StatementWriter, context: PathContext) {
    this.#tree = tree;
    this.#writer = writer;
    this.context = context;
    tree.begin();
    writer.reset(); // every section starts with an absolute path
  }

  get open(): boolean {
    return this.#open;
  }

  /** Applies one statement; throws (a VarStreamError) and changes nothing when it cannot apply. */
  apply(statement: Statement): Change {
    if (!this.#open) throw new Error('Transaction already ended');
    const replaced = arrayReplacedByKey(this.#tree.root, statement.path);
    const change = this.#tree.apply(statement, this.context);
    if (replaced !== -1) {
      // WORKAROUND (codec issue 1, see legacy-compat.ts): make the replacement explicit.
      this.#body += this.#writer.write({
        op: '=',
        path: change.path.slice(0, replaced),
        value: EMPTY_OBJECT,
      });
    }
    this.#body += this.#writer.write(canonicalize(change));
    this.#delta += sizeDelta(change);
    this.#count++;
    return change;
  }

  /** The canonical statements applied so far. */
  get body(): string {
    return this.#body;
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

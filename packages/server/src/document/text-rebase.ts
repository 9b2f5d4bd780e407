import {
  formatPath,
  formatSegment,
  opToSplices,
  type Path,
  type Splice,
  type Statement,
  spliceToOp,
  type TextOp,
  transformTextOp,
} from '@varstream/varstream';
import { ServerError } from '../errors.js';
import type { MeasureBudget } from '../limits/measure-budget.js';
import type { TextHistory } from './text-history.js';

/** The history a change's splices on one string are transformed against. */
interface Bridge {
  /** The text operations accepted after the base, as seen after this change's earlier splices; undefined: replaced. */
  readonly ops: TextOp[] | undefined;
  /** The change's replacement count when it was made: a later replacement above the string resets it. */
  readonly made: number;
}

/**
 * The server's transformation step for one change (PROTOCOL.md 3.6). A
 * splice is written against the string as the client saw it: at the
 * change's base revision, plus the change's own earlier statements. It is
 * transformed, in order, against every text operation on the same string
 * accepted after the base by another client (`'left'`: at the same place, the later insert
 * goes first, so each person's typed run stays together), and each of those
 * is transformed past it in turn, for the change's next splice on that string.
 *
 * A string replaced after the base (`=`, deleted, its container replaced)
 * makes the splice void: it applies nothing (the replacement wins, as in
 * ShareDB's json0). A base older than the text history is `SPLICE_STALE`.
 * A splice after this change itself replaced its string applies as written.
 *
 * Cost per splice: the path's length, plus the history lookup and one
 * transformation per concurrent text operation (both bounded by
 * `maxTextHistory`; bringing those to what the writer saw, past its own
 * changes sequenced after them, at most `maxTextHistory` more, text-history.ts), each linear in the two operations' sizes (the splice's
 * bounded by `maxSpliceParts`); per replacement: formatting its path. The
 * transformations are paid from the document's measure budget
 * (TRANSFORM_BYTES each): a splice based far back costs up to
 * `maxTextHistory` of them (~80 ms for 9 000 appends to its string), and one
 * connection sent such splices within its change rate. One the budget cannot
 * pay is `SPLICE_STALE`: the client sends it again based on a recent
 * revision, which costs little.
 */
export class TextRebase {
  readonly #history: TextHistory;
  readonly #base: number | undefined;
  readonly #maxParts: number;
  readonly #bridges = new Map<string, Bridge>();
  /** Paths this change replaced (as `formatPath` writes them), with the replacement's number. */
  readonly #replaced = new Map<string, number>();
  #replacements = 0;

  readonly #author: string | undefined;
  /** Pays for the transformations (absent: deterministic mode, free). */
  readonly #budget: MeasureBudget | undefined;

  constructor(
    history: TextHistory,
    base: number | undefined,
    maxParts: number,
    author: string | undefined,
    budget?: MeasureBudget,
  ) {
    this.#history = history;
    this.#base = base;
    this.#maxParts = maxParts;
    this.#author = author;
    this.#budget = budget;
  }

  /** The splices to apply instead of `statement`'s (none when it is void). */
  rebase(statement: Statement): readonly Splice[] {
    const splice = statement.splice!;
    const base = this.#base;
    const path = statement.path;
    if (base === undefined || !isConcrete(path)) return [splice];
    const key = formatPath(path);
    let bridge = this.#bridges.get(key);
    const replacedAt = this.#replaced.size === 0 ? 0 : lastReplacedAbove(this.#replaced, path);
    if (replacedAt > 0 && (bridge === undefined || bridge.made < replacedAt)) {
      bridge = { ops: [], made: replacedAt };
      this.#bridges.set(key, bridge);
    }
    if (bridge === undefined) {
      // Paid before the lookup, which walks as many events as the transformations.
      this.#pay(this.#history.pending(base, path), base, statement.line);
      const answer = this.#history.since(base, path, this.#author, (steps) =>
        this.#pay(steps, base, statement.line),
      );
      if (answer.kind === 'stale') {
        throw new ServerError(
          'SPLICE_STALE',
          `Splice based on revision ${base}: the text history starts after ${answer.from} (maxTextHistory); resend it based on a newer revision`,
          { line: statement.line },
        );
      }
      if (answer.kind === 'costly') {
        throw new ServerError(
          'SPLICE_STALE',
          `Splice based on revision ${base}: bringing the edits made since to what its writer saw would take more than ${answer.steps} steps (maxTextHistory); resend it based on a newer revision`,
          { line: statement.line },
        );
      }
      bridge = { ops: answer.kind === 'replaced' ? undefined : answer.ops, made: 0 };
      this.#bridges.set(key, bridge);
    } else if (bridge.ops !== undefined) {
      this.#pay(bridge.ops.length, base, statement.line);
    }
    const ops = bridge.ops;
    if (ops === undefined) return [];
    if (ops.length === 0) return [splice];
    let op: TextOp = spliceToOp(splice);
    for (let i = 0; i < ops.length; i++) {
      const other = ops[i]!;
      ops[i] = transformTextOp(other, op, 'right');
      op = transformTextOp(op, other, 'left');
      // Each component is a piece of a delete or an insert, or a keep between them.
      if (op.length > 2 * this.#maxParts + 1) {
        throw new ServerError(
          'SPLICE_STALE',
          `The splice would split into more than ${this.#maxParts} pieces over the edits made since revision ${base} (maxSpliceParts); resend it based on a newer revision`,
          { line: statement.line },
        );
      }
    }
    return opToSplices(op);
  }

  /** Pays for transforming a splice past `edits` concurrent edits; SPLICE_STALE when the budget cannot. */
  #pay(edits: number, base: number, line: number): void {
    if (edits === 0 || this.#budget === undefined) return;
    if (this.#budget.take(edits * TRANSFORM_BYTES)) return;
    throw new ServerError(
      'SPLICE_STALE',
      `The splice would be transformed against ${edits} edits made since revision ${base}, more than the server can afford now (measureBytesPerSecond); resend it based on a newer revision`,
      { line },
    );
  }

  /** A statement of this change replaced the value at `path`: later splices under it apply as written. */
  replaced(path: Path): void {
    if (this.#base === undefined) return;
    this.#replaced.set(formatPath(path), ++this.#replacements);
  }
}

/**
 * What transforming a splice past one concurrent text operation costs, in
 * bytes of measure budget: about as long as walking that many bytes of
 * document (both transformations of one step, ~9 µs on a busy 2-core machine).
 */
const TRANSFORM_BYTES = 256;

/** The number of the last replacement of `path` or of one of its ancestors in this change; 0 for none. */
function lastReplacedAbove(replaced: ReadonlyMap<string, number>, path: Path): number {
  let last = replaced.get(formatPath([])) ?? 0;
  let key = '';
  for (let i = 0; i < path.length; i++) {
    const segment = formatSegment(path[i]!);
    key = i === 0 ? segment : `${key}.${segment}`;
    last = Math.max(last, replaced.get(key) ?? 0);
  }
  return last;
}

function isConcrete(path: Path): boolean {
  for (const segment of path) if (typeof segment === 'number' && segment < 0) return false;
  return true;
}

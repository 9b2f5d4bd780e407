import { composeTextOps } from './compose.js';
import { appendComponent, isDelete, type TextComponent, type TextOp, trimOp } from './text-op.js';

/** One edit at one place: delete `del` code units at `at`, then insert `text` there. */
export interface Splice {
  readonly at: number;
  readonly del: number;
  readonly text: string;
}

/** The operation of one splice. */
export function spliceToOp(splice: Splice): TextComponent[] {
  const op: TextComponent[] = [];
  appendComponent(op, splice.at);
  appendComponent(op, splice.text);
  appendComponent(op, { d: splice.del });
  return trimOp(op);
}

/**
 * The operation as splices applied one after the other (each position in the
 * string as the previous splices left it): one per place the operation
 * changes, an insert and the delete after it joined into one splice.
 */
export function opToSplices(op: TextOp): Splice[] {
  const out: Splice[] = [];
  let at = 0;
  for (let i = 0; i < op.length; i++) {
    const c = op[i]!;
    if (typeof c === 'number') {
      at += c;
    } else if (typeof c === 'string') {
      const next = op[i + 1];
      const del = next !== undefined && isDelete(next) ? next.d : 0;
      if (del > 0) i++;
      out.push({ at, del, text: c });
      at += c.length;
    } else {
      out.push({ at, del: c.d, text: '' });
    }
  }
  return out;
}

/** The operation of splices applied one after the other. */
export function splicesToOp(splices: readonly Splice[]): TextComponent[] {
  let op: TextComponent[] = [];
  for (const splice of splices) op = composeTextOps(op, spliceToOp(splice));
  return op;
}

import { formatPath, formatSegment, type Path, RESET, type Segment } from './path.js';
import type { Operator } from './statement.js';
import type { Splice } from './text/splices.js';
import { formatLiteral, formatString, type Literal } from './value.js';

/** What a statement writer needs: a statement or an applied change. */
export interface WritableStatement {
  readonly op: Operator;
  readonly path: Path;
  readonly value: Literal | undefined;
  readonly ref?: Path | undefined;
  readonly splice?: Splice | undefined;
}

/** One statement as a line of VarStream text (with its line break), path absolute. */
export function formatStatement(statement: WritableStatement): string {
  return `${formatPath(statement.path)}${rightSide(statement)}\n`;
}

function rightSide(statement: WritableStatement): string {
  if (statement.op === '&=') return `&=${formatPath(statement.ref ?? [])}`;
  if (statement.op === '~=') return formatSplice(statement.splice ?? { at: 0, del: 0, text: '' });
  const value = statement.value;
  return value === undefined ? statement.op : statement.op + formatLiteral(value);
}

/**
 * Writes consecutive statements, shortening each path with `^`/`^N` when
 * that is shorter. The first statement (and any after `reset()`) is
 * absolute, so each block the writer starts is self-contained.
 */
export class StatementWriter {
  #previous: Segment[] = [];

  /** Forget the previous path: the next statement is written absolute. */
  reset(): void {
    this.#previous = [];
  }

  write(statement: WritableStatement): string {
    const path = statement.path;
    const previous = this.#previous;
    let line: string;
    if (statement.op === '&=' || path.length === 0 || previous.length === 0) {
      line = formatStatement(statement);
    } else {
      let k = 0;
      const max = Math.min(previous.length, path.length - 1);
      // Only concrete segments are shared: `+` twice is two different elements.
      while (k < max && previous[k] === path[k] && !isDynamic(path[k]!)) k++;
      const texts = path.map(formatSegment);
      let shared = 0;
      for (let i = 0; i < k; i++) shared += texts[i]!.length + 1;
      const prefix = k === previous.length - 1 ? '^' : `^${k}`;
      if (k > 0 && prefix.length + 1 < shared) {
        line = `${prefix}.${texts.slice(k).join('.')}${rightSide(statement)}\n`;
      } else {
        line = `${texts.join('.')}${rightSide(statement)}\n`;
      }
    }
    // What a reader's `^` will see next: `!` has become index 0.
    const next = path.slice();
    for (let i = 0; i < next.length; i++) if (next[i] === RESET) next[i] = 0;
    this.#previous = next as Segment[];
    return line;
  }
}

function isDynamic(segment: Segment): boolean {
  return typeof segment === 'number' && segment < 0;
}

/** The right side of a splice: `~=at,del` and, when it inserts, `,text` (bare or quoted). */
export function formatSplice(splice: Splice): string {
  const head = `~=${splice.at},${splice.del}`;
  return splice.text === '' ? head : `${head},${formatString(splice.text)}`;
}

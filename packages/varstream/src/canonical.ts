import type { WritableStatement } from './statement-writer.js';
import type { Change } from './tree.js';
import { isBareString, type Literal } from './value.js';

/**
 * The canonical form of an applied change, for logs and broadcasts: the
 * concrete path (`+`/`*` resolved, `!` kept), and the operator kept only when
 * every reader, varstream 0.3.2 included, computes the same result from the
 * same previous value; otherwise the result is written with `=`. A `~=`
 * splice is kept (0.3.2 cannot read it: `plainStatement` gives its `=`
 * form). Replaying
 * canonical statements in order on the same tree gives the same tree.
 */
export function canonicalize(change: Change): WritableStatement {
  const { op, path, value } = change;
  if (op === '=') return { op, path, value };
  if (op === '&=') return { op, path, value: undefined, ref: change.ref };
  if (op === '~=') return { op, path, value: undefined, splice: change.splice };
  const previous = change.previous;
  const sameIn032 =
    (typeof previous === 'number' || typeof previous === 'string') &&
    (typeof value === 'number' ||
      typeof value === 'boolean' ||
      (typeof value === 'string' && isBareString(value)));
  if (sameIn032) return { op, path, value };
  return { op: '=', path, value: change.result as Literal };
}

/**
 * What a reader that does not know `~=` (varstream 0.3.2, a client that did
 * not announce the extension) needs instead of a canonical statement: a
 * splice becomes the resulting string written with `=`; anything else is
 * returned as it is.
 */
export function plainStatement(statement: WritableStatement, change: Change): WritableStatement {
  if (statement.op !== '~=') return statement;
  return { op: '=', path: statement.path, value: change.result as string };
}

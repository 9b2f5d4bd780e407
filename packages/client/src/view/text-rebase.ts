import {
  opToSplices,
  type Statement,
  spliceToOp,
  type TextEffect,
  type TextOp,
  transformTextOp,
} from '@varstream/varstream';
import { isPrefix } from '../paths/same-path.js';
import type { PendingChange } from '../pending/pending-change.js';

/**
 * Rebases the pending changes' text splices over a remote change's effect
 * on one string (PROTOCOL.md 5 and 3.6): each splice on that string is
 * transformed against the remote operation (`'left'`: the pending splice
 * will be sequenced later, so at the same place it goes first, exactly as
 * the server will do), and the remote operation past it in turn. A remote
 * replacement of the string (or of a container above it) voids them. A
 * pending statement that itself replaces the string ends the walk: what
 * follows was written against that.
 *
 * Returns the remote operation as it applies to the view (confirmed +
 * pending), for carets; undefined when it is a replacement. Changes whose
 * statements changed get a new `body` from `format`.
 */
export function rebasePending(
  pending: readonly PendingChange[],
  effect: TextEffect,
  format: (statements: readonly Statement[]) => string,
): TextOp | undefined {
  let remote = effect.op;
  const target = effect.path;
  for (const change of pending) {
    let changed = false;
    const out: Statement[] = [];
    let stop = false;
    for (const statement of change.statements) {
      if (stop || !isPrefix(target, statement.path)) {
        out.push(statement);
        continue;
      }
      if (statement.op === '~=' && remote === undefined) {
        changed = true; // void: the string (or a container above it) was replaced
        continue;
      }
      if (
        statement.op === '~=' &&
        statement.path.length === target.length &&
        remote !== undefined
      ) {
        changed = true;
        const own = spliceToOp(statement.splice!);
        const mine = transformTextOp(own, remote, 'left');
        remote = transformTextOp(remote, own, 'right');
        for (const splice of opToSplices(mine)) out.push({ ...statement, splice });
        continue;
      }
      out.push(statement);
      // A `+=` on the string appends after whatever the remote operation did: nothing to do.
      if (
        statement.op === '+=' &&
        statement.path.length === target.length &&
        remote !== undefined
      ) {
        continue;
      }
      stop = true; // replaced (or written under) by the pending change itself
    }
    if (changed) {
      change.statements = out;
      change.body = format(out);
    }
    if (stop) return undefined;
  }
  return remote;
}

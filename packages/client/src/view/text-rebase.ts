import {
  lengthChange,
  opposite,
  opToSplices,
  type Path,
  type Side,
  type Splice,
  type Statement,
  spliceToOp,
  type TextEffect,
  type TextOp,
  transformTextOp,
} from '@varstream/varstream';
import { isPrefix, samePath } from '../paths/same-path.js';
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
 * A pending `+=` on a string that the remote change replaced (`replaced`:
 * the string's length before and after, when both are strings) appends to
 * the new value: the splices written after it move with it. Those in the
 * appended part (or after it) shift by how much the replaced part's length
 * changed; those inside the replaced part are void, as before the `+=`.
 *
 * Returns the remote operation as it applies to the view (confirmed +
 * pending), for carets; undefined when it is a replacement. Changes whose
 * statements changed get a new `body` from `format`.
 */
export function rebasePending(
  pending: readonly PendingChange[],
  effect: TextEffect,
  format: (statements: readonly Statement[]) => string,
  options: RebaseOptions = {},
): TextOp | undefined {
  const { replaced, sideOf, keep } = options;
  let remote = effect.op;
  const target = effect.path;
  /** Length of the string before the remote replacement, in the view so far (the part it replaced). */
  let prefix = replaced?.before;
  /** Set once a pending `+=` appended to the replaced string: the part it replaced, in the view. */
  let appended: number | undefined;
  for (const change of pending) {
    if (keep?.(change) === true) {
      if (remote !== undefined) remote = pastKept(remote, change, target);
      continue;
    }
    let changed = false;
    const out: Statement[] = [];
    let stop = false;
    for (const statement of change.statements) {
      if (stop || !isPrefix(target, statement.path)) {
        out.push(statement);
        continue;
      }
      const exact = statement.path.length === target.length;
      if (statement.op === '~=' && remote === undefined && appended !== undefined && exact) {
        changed = true;
        const moved = shiftPastReplaced(statement.splice!, appended, replaced!.after);
        appended = moved.prefix;
        if (moved.splice !== undefined) out.push({ ...statement, splice: moved.splice });
        continue;
      }
      if (statement.op === '~=' && remote === undefined) {
        changed = true; // void: the string (or a container above it) was replaced
        if (prefix !== undefined && exact) prefix += lengthChange(spliceToOp(statement.splice!));
        continue;
      }
      if (
        statement.op === '~=' &&
        statement.path.length === target.length &&
        remote !== undefined
      ) {
        changed = true;
        const own = spliceToOp(statement.splice!);
        const side = sideOf?.(change) ?? 'left';
        const mine = transformTextOp(own, remote, side);
        remote = transformTextOp(remote, own, opposite(side));
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
      if (statement.op === '+=' && exact && remote === undefined && prefix !== undefined) {
        appended ??= prefix; // appends to the new value: later splices follow it
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

/** How `rebasePending` rebases. */
export interface RebaseOptions {
  /** The remote change replaced the string with a string: its lengths (see `rebasePending`). */
  readonly replaced?: Replaced;
  /**
   * Where a pending change's inserts go at the same place as a remote one:
   * `'left'` (default) before it, as the server will sequence it; `'right'`
   * after it.
   */
  readonly sideOf?: (change: PendingChange) => Side;
  /** Pending changes left as they are (the remote operation still moves past their splices). */
  readonly keep?: (change: PendingChange) => boolean;
}

/** `remote` moved past the splices on `target` of a pending change left as it is. */
function pastKept(remote: TextOp, change: PendingChange, target: Path): TextOp {
  let op = remote;
  for (const statement of change.statements) {
    if (statement.op !== '~=' || statement.splice === undefined) continue;
    if (!samePath(statement.path, target)) continue;
    op = transformTextOp(op, spliceToOp(statement.splice), 'right');
  }
  return op;
}

/** A remote replacement of the rebased string: its length before and after (UTF-16 code units). */
export interface Replaced {
  readonly before: number;
  readonly after: number;
}

/**
 * A splice written on the view where the first `prefix` code units are the
 * replaced string (and the rest what the client appended to it), moved onto
 * the new value (`after` code units long): the part in the appended text
 * shifts; the part in the replaced text is void. Returns the splice (if any
 * remains) and the replaced part's length after it.
 */
function shiftPastReplaced(
  splice: Splice,
  prefix: number,
  after: number,
): { splice: Splice | undefined; prefix: number } {
  const end = splice.at + splice.del;
  if (splice.at >= prefix) {
    return { splice: { ...splice, at: splice.at - prefix + after }, prefix };
  }
  if (end <= prefix) {
    return { splice: undefined, prefix: prefix - splice.del + splice.text.length };
  }
  // Across the boundary: only what it deleted of the appended text (and its insert) remains.
  return { splice: { at: after, del: end - prefix, text: splice.text }, prefix: splice.at };
}

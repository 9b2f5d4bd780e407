import { type Path, RESET } from '../path.js';
import type { Change } from '../tree.js';
import { spliceToOp } from './splices.js';
import type { TextOp } from './text-op.js';

/**
 * What an applied change did to the strings a concurrent splice may target:
 * a text operation on the string at `path`, or `op: undefined` when it
 * replaced the value at `path` (and so everything under it).
 */
export interface TextEffect {
  readonly path: Path;
  readonly op: TextOp | undefined;
}

/**
 * The text effect of an applied change: a `~=` is its splice; a `+=` that
 * appends to a string (or starts one) is an insert at its end; anything
 * else (`=`, a delete, `&=`, arithmetic, a path through `!`) replaces the
 * value at its path (for `!`: the array it empties).
 */
export function textEffect(change: Change): TextEffect {
  const path = change.path;
  const reset = path.indexOf(RESET);
  if (reset !== -1) return { path: path.slice(0, reset), op: undefined };
  if (change.op === '~=' && change.splice !== undefined) {
    return { path, op: spliceToOp(change.splice) };
  }
  const { previous, result } = change;
  if (
    change.op === '+=' &&
    typeof result === 'string' &&
    (typeof previous === 'string' || previous === undefined)
  ) {
    const at = previous?.length ?? 0;
    if (at === 0) return { path, op: [result] };
    // What `+=` appended to a string is its operand's text (see `combine`):
    // `result.slice(at)` would flatten the new string, O(its length) for
    // every append.
    return { path, op: [at, String(change.value)] };
  }
  return { path, op: undefined };
}

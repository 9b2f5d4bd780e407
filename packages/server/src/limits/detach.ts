import type { Path, Statement } from '@varstream/varstream';

/**
 * V8 cuts substrings of 13 characters or more as "sliced strings" that keep
 * the whole string they come from alive. A value, a change id or a presence
 * field read from a frame would keep the frame (up to `maxFrameBytes`) in
 * memory as long as the tree, the resume log or the dedup table keeps it: a
 * client could make the server hold a megabyte per 20-byte value. What
 * outlives a frame is copied with these.
 */
const SLICE_MIN = 13;

/** A copy of `text` that keeps nothing else alive (shorter strings are copies already). */
export function detach(text: string): string {
  // The concatenation is flattened into a new string, which the slice then cuts.
  return text.length < SLICE_MIN ? text : ` ${text}`.slice(1);
}

function needsDetach(path: Path | undefined): boolean {
  if (path === undefined) return false;
  for (const segment of path) {
    if (typeof segment === 'string' && segment.length >= SLICE_MIN) return true;
  }
  return false;
}

function detachPath(path: Path): Path {
  return path.map((segment) => (typeof segment === 'string' ? detach(segment) : segment));
}

/** The statement itself when none of its strings can hold a frame, else a copy with copies. */
export function detachStatement(statement: Statement): Statement {
  const { value, path, ref, splice } = statement;
  const longValue = typeof value === 'string' && value.length >= SLICE_MIN;
  const longText = splice !== undefined && splice.text.length >= SLICE_MIN;
  if (!longValue && !longText && !needsDetach(path) && !needsDetach(ref)) return statement;
  return {
    op: statement.op,
    path: needsDetach(path) ? detachPath(path) : path,
    value: longValue ? detach(value) : value,
    ...(ref === undefined ? {} : { ref: needsDetach(ref) ? detachPath(ref) : ref }),
    ...(splice === undefined
      ? {}
      : { splice: longText ? { ...splice, text: detach(splice.text) } : splice }),
    line: statement.line,
  };
}

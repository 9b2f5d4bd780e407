import {
  APPEND,
  BACK_NONE,
  BACK_PARENT,
  LAST,
  type Path,
  RESET,
  ScanError,
  type ScannedPath,
  type Segment,
} from './path.js';

/**
 * The absolute path of a scanned path: its `^` or `^N` prefix taken from
 * `previous` (the context's previous concrete path), where the element the
 * previous statement appended (`+`) or reset to (`!`) is now the last one
 * (`*`) or the first (0). Throws a `ScanError` at `start` when `^N` is longer
 * than `previous` or the path deeper than `maxPathDepth`.
 */
export function expandPath(
  scanned: ScannedPath,
  previous: Path,
  maxPathDepth: number,
  start: number,
): Path {
  if (scanned.back === BACK_NONE) return scanned.segments;
  const n =
    scanned.back === BACK_PARENT ? (previous.length > 0 ? previous.length - 1 : 0) : scanned.back;
  if (n > previous.length) {
    throw new ScanError(
      'BACKREF_RANGE',
      `Backward reference ^${n} is longer than the previous path (${previous.length} segments)`,
      start,
    );
  }
  const segments = scanned.segments;
  const depth = n + segments.length;
  if (depth > maxPathDepth) {
    throw new ScanError('LIMIT_DEPTH', `Path deeper than ${maxPathDepth} segments`, start);
  }
  const path: Segment[] = new Array(depth);
  for (let i = 0; i < n; i++) {
    const s = previous[i]!;
    path[i] = s === APPEND ? LAST : s === RESET ? 0 : s;
  }
  for (let i = 0; i < segments.length; i++) path[n + i] = segments[i]!;
  return path;
}

import type { Path } from '@varstream/varstream';

/** True when `path` starts with every segment of `prefix` (a path is its own prefix). */
export function isPrefix(prefix: Path, path: Path): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

/** True when two paths have the same segments. */
export function samePath(a: Path, b: Path): boolean {
  return a.length === b.length && isPrefix(a, b);
}

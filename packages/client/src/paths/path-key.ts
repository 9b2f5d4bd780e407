import type { Path } from '@varstream/varstream';

/** A path as a map key: equal for equal paths (`"a"` and `0` stay apart). */
export function pathKey(path: Path): string {
  return JSON.stringify(path);
}

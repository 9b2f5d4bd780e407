import type { Path } from '@varstream/varstream';

/** The first key of `path` that is in `unsafe`, or undefined. */
export function findUnsafeKey(path: Path, unsafe: ReadonlySet<string>): string | undefined {
  if (unsafe.size === 0) return undefined;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment === 'string' && unsafe.has(segment)) return segment;
  }
  return undefined;
}

import type { Path } from '@varstream/varstream';

/**
 * The first key in `unsafe` that a statement writes (its path) or reads (its
 * `&=` reference), or undefined. Costs one step per segment.
 */
export function unsafeKeyOf(
  statement: { readonly path: Path; readonly ref?: Path | undefined },
  unsafe: ReadonlySet<string>,
): string | undefined {
  if (unsafe.size === 0) return undefined;
  return (
    firstUnsafe(statement.path, unsafe) ??
    (statement.ref === undefined ? undefined : firstUnsafe(statement.ref, unsafe))
  );
}

function firstUnsafe(path: Path, unsafe: ReadonlySet<string>): string | undefined {
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment === 'string' && unsafe.has(segment)) return segment;
  }
  return undefined;
}

import type { Path } from '@varstream/varstream';
import type { ResolvedIdentity } from './identity.js';

/**
 * True when `path` lies inside one of the scope's subtrees (the subtree root
 * included). A dynamic segment (`+`, `*`, `!`) where the scope names a
 * concrete step cannot be proven inside, so it is outside.
 */
export function inScope(scope: readonly Path[], path: Path): boolean {
  for (const prefix of scope) {
    if (prefix.length > path.length) continue;
    let inside = true;
    for (let i = 0; i < prefix.length; i++) {
      if (prefix[i] !== path[i]) {
        inside = false;
        break;
      }
    }
    if (inside) return true;
  }
  return false;
}

/** Why `identity` may not write at `path` (and, for `&=`, read from `ref`), or undefined when it may. */
export function writeDenied(
  identity: ResolvedIdentity,
  path: Path,
  ref: Path | undefined,
): string | undefined {
  if (identity.access !== 'write') return 'This connection is read-only';
  const scope = identity.scope;
  if (scope === undefined) return undefined;
  if (!inScope(scope, path)) return 'Writes are limited to the connection scope';
  // A reference to a value outside the scope would alias it: later writes
  // through the alias would change what the scope protects.
  if (ref !== undefined && !inScope(scope, ref)) {
    return 'A reference may only point inside the connection scope';
  }
  return undefined;
}

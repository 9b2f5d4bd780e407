/**
 * Containers that `&=` gave a second parent (or made part of a cycle). A
 * plain container has exactly one parent, so it can be swapped for another
 * in that parent without anyone else noticing; an aliased one cannot. Kept
 * per module (not per tree) because a tree's values are handed to other
 * trees (a loaded document becomes a server's tree). Cleared only when the
 * change that marked it is rolled back: a container that lost its aliases
 * otherwise stays marked, which only costs speed.
 */
const aliased = new WeakSet<object>();
/** False until the first container is marked: most documents have no `&=`, and then no lookup is made. */
let anyAliased = false;

/** Marks `container`; true when it was not marked before. */
export function markAliased(container: object): boolean {
  anyAliased = true;
  if (aliased.has(container)) return false;
  aliased.add(container);
  return true;
}

/** Undoes a `markAliased` that returned true (its change was rolled back). */
export function unmarkAliased(container: object): void {
  aliased.delete(container);
}

export function isAliased(container: object): boolean {
  return anyAliased && aliased.has(container);
}

/**
 * True when a statement changed a container with several parents along the
 * path it walked (`chain[d]`: the container holding segment `d`; the
 * statement set or deleted at depth `n - 1`, created containers from depth
 * `createFrom`, emptied the array at `resetDepth`; -1: none). Such a change
 * may cut a link the chain goes through again (a cycle: after `a.b&=a`,
 * `a.b.b=5` replaces the `a.b` the chain went through), so the next walk
 * must start from the root rather than reuse the chain (`PathWalk.settled`).
 */
export function changedAliased(
  chain: readonly object[],
  n: number,
  createFrom: number,
  resetDepth: number,
): boolean {
  if (!anyAliased) return false;
  if (resetDepth !== -1 && aliased.has(chain[resetDepth]!)) return true;
  if (n === 0 || createFrom === 0) return false;
  return aliased.has(chain[createFrom === -1 ? n - 1 : createFrom - 1]!);
}

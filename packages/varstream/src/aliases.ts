/**
 * Containers that `&=` gave a second parent (or made part of a cycle). A
 * plain container has exactly one parent, so it can be swapped for another
 * in that parent without anyone else noticing; an aliased one cannot. Kept
 * per module (not per tree) because a tree's values are handed to other
 * trees (a loaded document becomes a server's tree). Never cleared: a
 * container that lost its aliases stays marked, which only costs speed.
 */
const aliased = new WeakSet<object>();

export function markAliased(container: object): void {
  aliased.add(container);
}

export function isAliased(container: object): boolean {
  return aliased.has(container);
}

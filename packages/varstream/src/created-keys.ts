/**
 * How many keys the committed changes of trees with `boundedRollback` (a
 * server's) created in each object: an upper bound on the keys it holds
 * (deleted keys are not subtracted, a key deleted then set again counts
 * twice). Undefined for an object no such change wrote a key into (one
 * built by `parse`, a loaded document, or an empty one): its size is then
 * unknown without enumerating it, which costs O(its keys). Kept per module,
 * as `aliases.ts`, since a tree's values are handed to other trees.
 */
const counts = new WeakMap<object, number>();

export function countCreatedKey(target: object): void {
  counts.set(target, (counts.get(target) ?? 0) + 1);
}

/** At least as many keys as `target` holds, or undefined when unknown. */
export function createdKeys(target: object): number | undefined {
  return counts.get(target);
}

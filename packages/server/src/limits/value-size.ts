import { createdKeys, isAliased } from '@varstream/varstream';

/**
 * Cheap estimates of how many bytes a change adds to or removes from a
 * document's VarStream snapshot: each leaf is roughly its key, an operator,
 * its value and a line break (paths are mostly shortened by `^`). They keep
 * documents under `maxDocumentBytes` without writing them out at every
 * change, and cost O(1) per statement whatever the document holds: what is
 * written is counted exactly, what is removed only when it is a scalar or a
 * small subtree that nothing else refers to (known small without enumerating
 * it: see subtreeSize). Anything else removed counts as
 * nothing, so the estimate never drops below what stays stored (an aliased
 * subtree survives the removal of one of its paths); the server measures the
 * document exactly when the estimate says it is too large.
 */

/** Removed subtrees of at most this many values are measured; larger ones count as nothing. */
export const REMOVED_WALK_VALUES = 64;

/** Bytes of the key of a line (`.name`), approximately. */
function keyCost(key: string | number): number {
  return typeof key === 'string' ? key.length + 1 : 2;
}

/** Bytes a written value adds under `key`: a scalar's line, an empty container's line, or a `&=` line. */
export function writtenSize(value: unknown, key: string | number, refLength: number): number {
  if (value === undefined) return 0;
  if (value !== null && typeof value === 'object') {
    // A container is either new and empty (`a={}`) or a reference (`a&=b.c`).
    return keyCost(key) + 4 + refLength * 8;
  }
  return keyCost(key) + scalarCost(value) + 2;
}

/**
 * Bytes a removed value took under `key`, when that is cheap and certain: a
 * scalar, or a subtree of at most REMOVED_WALK_VALUES values without any
 * container that `&=` shared. Otherwise 0.
 */
export function removedSize(value: unknown, key: string | number): number {
  if (value === undefined) return 0;
  if (value === null || typeof value !== 'object') return keyCost(key) + scalarCost(value) + 2;
  const walk = { left: REMOVED_WALK_VALUES };
  const size = subtreeSize(value, keyCost(key), walk);
  return size === -1 ? 0 : size;
}

/** The estimate of a subtree, or -1 when it is too large or holds a shared container. */
function subtreeSize(value: unknown, key: number, walk: { left: number }): number {
  if (--walk.left < 0) return -1;
  if (value === null || typeof value !== 'object') {
    return typeof value === 'symbol' ? 0 : key + scalarCost(value) + 2;
  }
  if (isAliased(value)) return -1;
  // Enumerating costs O(its keys): only containers known to be small are (an
  // array by its length, an object by the keys changes created in it).
  const most = Array.isArray(value) ? value.length : createdKeys(value);
  if (most === undefined || most > walk.left) return -1;
  let total = 0;
  let children = 0;
  const keys = Object.keys(value);
  for (const k of keys) {
    const child = (value as Record<string, unknown>)[k];
    if (typeof child === 'symbol') continue;
    const size = subtreeSize(child, Array.isArray(value) ? 2 : k.length + 1, walk);
    if (size === -1) return -1;
    children++;
    total += size;
  }
  // An empty container is written as one line (`a={}`); a full one costs its key on the first line.
  return children === 0 ? key + 4 : total + key;
}

function scalarCost(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return value.length;
    case 'number':
      return 8;
    case 'boolean':
      return 5;
    default:
      return 4;
  }
}

/**
 * A cheap estimate of how many bytes a value takes in a VarStream snapshot:
 * each leaf is roughly its key, an operator, its value and a line break
 * (paths are mostly shortened by `^`). Shared and circular containers count
 * once. Used to keep documents under `maxDocumentBytes` without writing them
 * out at every change; the server re-measures exactly when the estimate says
 * a document is too large.
 */
export function estimateSize(value: unknown, key: string | number = ''): number {
  return sizeOf(value, keyCost(key), new Set<object>());
}

/** Bytes of the key of a line (`.name`), approximately. */
export function keyCost(key: string | number): number {
  return typeof key === 'string' ? key.length + 1 : 2;
}

function sizeOf(value: unknown, key: number, seen: Set<object>): number {
  if (value === undefined) return 0;
  if (value === null || typeof value !== 'object') return key + scalarCost(value) + 2;
  if (seen.has(value)) return key + 8; // written once, referred to with `&=`
  seen.add(value);
  let total = 0;
  let children = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) continue;
      children++;
      total += sizeOf(value[i], 2, seen);
    }
  } else {
    for (const k of Object.keys(value)) {
      children++;
      total += sizeOf((value as Record<string, unknown>)[k], k.length + 1, seen);
    }
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

/**
 * A text operation: how one string becomes another, as a list of components
 * walked from the start of the string (positions in UTF-16 code units):
 *
 * - a positive number `n`: keep the next `n` code units;
 * - a non-empty string: insert it here;
 * - `{ d: n }`: delete the next `n` code units.
 *
 * Normalized form (what every function here returns): no zero-length or
 * empty component, no two adjacent components of the same kind, an insert
 * before a delete at the same place, no keep at the end (the rest of the
 * string is kept implicitly). The no-op is `[]`.
 *
 * This is the shape of ShareDB's `ot-text-unicode` operations, with UTF-16
 * units: JavaScript strings, DOM selections and the VarStream reader all
 * count in them. A position never splits a surrogate pair (`applyTextOp`
 * checks it), so an emoji is never cut in two.
 */
export type TextComponent = number | string | { readonly d: number };
export type TextOp = readonly TextComponent[];

export function isDelete(c: TextComponent): c is { readonly d: number } {
  return typeof c === 'object';
}

/** Length of a component in the string it applies to (an insert: 0). */
export function sourceLength(c: TextComponent): number {
  if (typeof c === 'number') return c;
  if (typeof c === 'string') return 0;
  return c.d;
}

/** Appends `c` to `op` (in place), keeping `op` normalized except for a trailing keep. */
export function appendComponent(op: TextComponent[], c: TextComponent): void {
  if (typeof c === 'number' ? c <= 0 : typeof c === 'string' ? c === '' : c.d <= 0) return;
  const n = op.length;
  const last = n === 0 ? undefined : op[n - 1]!;
  if (last === undefined) {
    op.push(c);
  } else if (typeof c === 'number' && typeof last === 'number') {
    op[n - 1] = last + c;
  } else if (typeof c === 'string' && typeof last === 'string') {
    op[n - 1] = last + c;
  } else if (isDelete(c) && isDelete(last)) {
    op[n - 1] = { d: last.d + c.d };
  } else if (typeof c === 'string' && isDelete(last)) {
    // An insert goes before a delete at the same place (one normal form).
    const before = n >= 2 ? op[n - 2]! : undefined;
    if (typeof before === 'string') op[n - 2] = before + c;
    else op.splice(n - 1, 0, c);
  } else {
    op.push(c);
  }
}

/** Drops a trailing keep: the rest of the string is kept anyway. */
export function trimOp(op: TextComponent[]): TextComponent[] {
  if (op.length > 0 && typeof op[op.length - 1] === 'number') op.pop();
  return op;
}

/** True when the operation changes nothing. */
export function isNoop(op: TextOp): boolean {
  return op.length === 0;
}

/** Code units the operation reads from its input (keeps and deletes, without the implicit rest). */
export function inputSpan(op: TextOp): number {
  let n = 0;
  for (const c of op) n += sourceLength(c);
  return n;
}

/** How much longer the result is than the input. */
export function lengthChange(op: TextOp): number {
  let n = 0;
  for (const c of op) {
    if (typeof c === 'string') n += c.length;
    else if (isDelete(c)) n -= c.d;
  }
  return n;
}

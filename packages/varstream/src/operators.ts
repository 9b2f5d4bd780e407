import type { Operator } from './statement.js';

/**
 * Arithmetic and concatenation of the default mode. Returns the new value,
 * or a string describing why the types do not combine.
 *
 * | current \ operand | number        | string | boolean | null |
 * |-------------------|---------------|--------|---------|------|
 * | missing           | operand (`+=`), `0 op n` otherwise | operand (`+=` only) | error | error |
 * | number            | IEEE arithmetic | concat (`+=` only) | error | error |
 * | string            | concat (`+=` only) | concat (`+=` only) | concat (`+=` only) | error |
 * | boolean, null, object, array | error | error | error | error |
 */
export function combine(
  op: Exclude<Operator, '=' | '&=' | '~='>,
  current: unknown,
  operand: unknown,
): { value: string | number } | { error: string } {
  const ot = typeof operand;
  if (operand === null || (ot !== 'number' && ot !== 'string' && ot !== 'boolean')) {
    return { error: `"${op}" needs a number or a string, got ${describe(operand)}` };
  }
  if (op === '+=') {
    if (current === undefined) {
      if (ot === 'boolean') return { error: '"+=" cannot start a value from a boolean' };
      return { value: operand as string | number };
    }
    if (typeof current === 'number') {
      if (ot === 'number') return { value: current + (operand as number) };
      if (ot === 'string') return { value: String(current) + (operand as string) };
      return { error: `"+=" cannot add a boolean to a number` };
    }
    if (typeof current === 'string') return { value: current + String(operand) };
    return { error: `"+=" cannot apply to ${describe(current)}` };
  }
  if (ot !== 'number') return { error: `"${op}" needs a number, got ${describe(operand)}` };
  let base: number;
  if (current === undefined) base = 0;
  else if (typeof current === 'number') base = current;
  else return { error: `"${op}" cannot apply to ${describe(current)}` };
  const n = operand as number;
  switch (op) {
    case '-=':
      return { value: base - n };
    case '*=':
      return { value: base * n };
    case '/=':
      return { value: base / n };
    default:
      return { value: base % n };
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  if (t === 'object') return 'an object';
  return `a ${t}`;
}

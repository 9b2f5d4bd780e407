/**
 * How 0.3.2's operators (`+=`, `-=`, ..., and the line appends of multi-line
 * values) turn a tree value into a primitive, made safe:
 *
 * - arrays are joined like `Array.prototype.join` (holes, null and undefined
 *   as '', an array already being joined as '', exactly as V8 does), but
 *   iteratively and within a budget, so a deep or cyclic tree can neither
 *   overflow the stack nor take more than linear time;
 * - an object whose own keys shadow `toString`, `valueOf` or `join` (possible
 *   since `a.toString=1` is an ordinary own key here) converts as the plain
 *   object it is (`[object Object]`), never calling those own values.
 *
 * Every other object converts natively, as in 0.3.2.
 */
import { VarStreamError } from '../errors.js';
import { isContainer, isOwn } from './own.js';

const objectToString = Object.prototype.toString;

function hasShadowingKeys(value: object): boolean {
  return (
    isOwn(value, 'toString') || isOwn(value, 'valueOf') || Object.hasOwn(value, Symbol.toPrimitive)
  );
}

interface JoinFrame {
  readonly array: readonly unknown[];
  readonly length: number;
  index: number;
  text: string;
}

/** Thrown when a conversion would exceed its budget (see `maxStatementLength`). */
export function tooLong(): VarStreamError {
  return new VarStreamError('LIMIT_STATEMENT', 'Value too long to convert to a string.');
}

function elementText(value: unknown): string | JoinFrame {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return { array: value, length: value.length, index: 0, text: '' };
  if (isContainer(value) && hasShadowingKeys(value)) return objectToString.call(value);
  return String(value);
}

/** `String(array)` of an untouched V8, without recursion; throws `tooLong()` past `budget` steps. */
export function joinArray(array: readonly unknown[], budget: number): string {
  const onStack = new Set<unknown>([array]);
  const stack: JoinFrame[] = [{ array, length: array.length, index: 0, text: '' }];
  let steps = 0;
  for (;;) {
    const frame = stack[stack.length - 1]!;
    if (frame.index >= frame.length) {
      stack.pop();
      onStack.delete(frame.array);
      const parent = stack[stack.length - 1];
      if (parent === undefined) return frame.text;
      parent.text += frame.text;
      continue;
    }
    const i = frame.index++;
    if (i > 0) frame.text += ',';
    steps += 1;
    const own = isOwn(frame.array, String(i)) ? frame.array[i] : undefined;
    if (Array.isArray(own) && onStack.has(own)) continue;
    const text = elementText(own);
    if (typeof text === 'string') {
      frame.text += text;
      steps += text.length;
    } else {
      onStack.add(text.array);
      stack.push(text);
    }
    if (steps > budget) throw tooLong();
  }
}

/**
 * The value an operator of 0.3.2 would see: primitives as they are, arrays
 * joined, objects with shadowing own keys as `[object Object]`, other objects
 * unchanged (the operator then converts them natively).
 */
export function legacyPrimitive(value: unknown, budget: number): unknown {
  if (!isContainer(value)) return value;
  if (Array.isArray(value)) return joinArray(value, budget);
  if (hasShadowingKeys(value)) return objectToString.call(value);
  return value;
}

/** The JavaScript `+` on two values (string concatenation or addition). */
export function plus(a: unknown, b: unknown): unknown {
  return (a as number) + (b as number);
}

/** `a op b` for the arithmetic operators `-`, `*`, `/`, `%`. */
export function arithmetic(op: string, a: unknown, b: unknown): number {
  const x = a as number;
  const y = b as number;
  switch (op) {
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      return x / y;
    default:
      return x % y;
  }
}

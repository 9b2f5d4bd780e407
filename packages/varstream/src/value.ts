/**
 * Values: how a bare right-hand value is typed, and how a value is written
 * so that it reads back as itself.
 */

export type Scalar = string | number | boolean | null;

/** The literal `{}`: an empty object. Statements hold this frozen instance; applying one creates a fresh object. */
export const EMPTY_OBJECT: Readonly<Record<string, never>> = Object.freeze({});
/** The literal `[]`: an empty array. Statements hold this frozen instance; applying one creates a fresh array. */
export const EMPTY_ARRAY: readonly never[] = Object.freeze([]) as readonly never[];

/** What a statement can carry on its right-hand side (besides `&=` references). */
export type Literal = Scalar | typeof EMPTY_OBJECT | typeof EMPTY_ARRAY;

/**
 * True for the number syntax of varstream 0.3.2: `-?([0-9]+(\.[0-9]+)?|Infinity)`.
 * `1e5`, `.5`, `+5` and `0x1F` are strings, exactly as in 0.3.2.
 */
export function isNumberText(text: string): boolean {
  const n = text.length;
  let i = 0;
  if (n === 0) return false;
  if (text.charCodeAt(0) === 45 /* - */) i = 1;
  if (i >= n) return false;
  if (text.charCodeAt(i) === 73 /* I */) return text.length - i === 8 && text.endsWith('Infinity');
  const startDigits = i;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === startDigits) return false;
  if (i === n) return true;
  if (text.charCodeAt(i) !== 46 /* . */) return false;
  i++;
  const startFraction = i;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
    i++;
  }
  return i > startFraction;
}

/**
 * Types a bare (unquoted) value: `null`, `true`, `false`, `NaN`, numbers by
 * the 0.3.2 rule, `{}` and `[]`, otherwise the text itself.
 */
export function typeBareValue(text: string): Literal {
  const c = text.charCodeAt(0);
  switch (c) {
    case 110: // n
      return text === 'null' ? null : text;
    case 116: // t
      return text === 'true' ? true : text;
    case 102: // f
      return text === 'false' ? false : text;
    case 78: // N
      return text === 'NaN' ? Number.NaN : text;
    case 123: // {
      return text === '{}' ? EMPTY_OBJECT : text;
    case 91: // [
      return text === '[]' ? EMPTY_ARRAY : text;
    case 73: // I
    case 45: // -
    case 48:
    case 49:
    case 50:
    case 51:
    case 52:
    case 53:
    case 54:
    case 55:
    case 56:
    case 57:
      return isNumberText(text) ? Number(text) : text;
    default:
      return text;
  }
}

/**
 * Writes a number in plain decimal notation, which every VarStream reader
 * (0.3.2 included) reads back as the same number: no exponent, `-0` kept.
 */
export function formatNumber(value: number): string {
  // From 1e-6 up to 1e21 (either sign), `String` writes no exponent: the
  // common case, told without searching the text for an `e`.
  const magnitude = value < 0 ? -value : value;
  if (magnitude >= 1e-6 && magnitude < 1e21) return String(value);
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const text = String(value);
  if (text.indexOf('e') === -1) return text; // also NaN, Infinity, -Infinity
  return expandExponent(text);
}

function expandExponent(text: string): string {
  // text is like "-1.2345e+25" or "5e-324": shortest round-trip digits.
  const negative = text.charCodeAt(0) === 45;
  const body = negative ? text.slice(1) : text;
  const e = body.indexOf('e');
  const mantissa = body.slice(0, e);
  const exponent = Number(body.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const intLength = (dot === -1 ? mantissa.length : dot) + exponent;
  let out: string;
  if (intLength <= 0) out = `0.${'0'.repeat(-intLength)}${digits}`;
  else if (intLength >= digits.length) out = digits + '0'.repeat(intLength - digits.length);
  else out = `${digits.slice(0, intLength)}.${digits.slice(intLength)}`;
  return negative ? `-${out}` : out;
}

// What `scanBare` finds in a string.
const HAS_ESCAPES = 1; // a backslash or a line break: written escaped
const HAS_SURROGATE = 2; // maybe a lone surrogate: check isWellFormed()
const NEEDS_QUOTES = 4; // a control character other than tab and LF

// Control characters other than tab and LF.
const CONTROL = /[\u0000-\u0008\u000b-\u001f]/;
/**
 * A line break followed by what starts a comment line (spaces or tabs, then
 * `#`): written bare, the continuation line would start with `#` (`#vs` for a
 * meta line) and fool a reader that looks at lines one by one.
 */
const COMMENT_AFTER_BREAK = /\n[ \t]*#/;

function scanBare(text: string): number {
  if (text.length > 64) {
    // Long strings: the engine's own searches beat a loop in JS.
    if (CONTROL.test(text)) return NEEDS_QUOTES;
    const escapes = text.indexOf('\\') !== -1 || text.indexOf('\n') !== -1;
    return (escapes ? HAS_ESCAPES : 0) | HAS_SURROGATE;
  }
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 32) {
      if (c === 10) found |= HAS_ESCAPES;
      else if (c !== 9) return NEEDS_QUOTES;
    } else if (c === 92) found |= HAS_ESCAPES;
    else if (c >= 0xd800 && c <= 0xdfff) found |= HAS_SURROGATE;
  }
  return found;
}

/** What `bareScan` returns for a string that reads back as another type (`57`, `true`). */
const TYPED = -2;

/** True when `text`, written bare, reads back as another type (`null`, `57`, `{}`). */
function readsAsLiteral(text: string): boolean {
  const c = text.charCodeAt(0);
  // Numbers are told without converting them; the rest as the reader types them.
  if (c === 45 /* - */ || c === 73 /* I */ || (c >= 48 && c <= 57)) return isNumberText(text);
  return typeBareValue(text) !== text;
}

/** `scanBare`'s findings when `text` can be written bare, TYPED when it reads as another type, else -1. */
function bareScan(text: string): number {
  if (text.length === 0) return -1;
  const c = text.charCodeAt(0);
  if (c === 34 /* " */ || c === 10 /* \n */) return -1;
  if (readsAsLiteral(text)) return TYPED;
  const found = scanBare(text);
  if ((found & NEEDS_QUOTES) !== 0) return -1;
  if ((found & HAS_ESCAPES) !== 0 && COMMENT_AFTER_BREAK.test(text)) return -1;
  if ((found & HAS_SURROGATE) !== 0 && !text.isWellFormed()) return -1;
  return found;
}

/**
 * True when `text` can be written bare (after `\` and line-break escaping)
 * and still reads back as this exact string, in this codec and in 0.3.2, and
 * no continuation line of it starts like a comment (`#`, `#vs`).
 */
export function isBareString(text: string): boolean {
  return bareScan(text) >= 0;
}

/** Escapes a bare string: `\` doubles, a line break becomes `\` + LF. */
export function escapeBare(text: string): string {
  if (text.indexOf('\\') !== -1) text = text.replace(/\\/g, '\\\\');
  if (text.indexOf('\n') !== -1) text = text.replace(/\n/g, '\\\n');
  return text;
}

/** Writes a string value: bare when it reads back unchanged, else double-quoted. */
export function formatString(text: string): string {
  const found = bareScan(text);
  if (found >= 0) return (found & HAS_ESCAPES) !== 0 ? escapeBare(text) : text;
  // A typed-looking string (`"57"`) is ASCII with nothing to escape.
  return found === TYPED ? `"${text}"` : JSON.stringify(text);
}

/** Writes any literal as a right-hand value. */
export function formatLiteral(value: Literal): string {
  if (typeof value === 'string') return formatString(value);
  if (typeof value === 'number') return formatNumber(value);
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  return Array.isArray(value) ? '[]' : '{}';
}

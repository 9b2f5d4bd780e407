import {
  APPEND,
  EMPTY_ARRAY,
  EMPTY_OBJECT,
  LAST,
  type Literal,
  OPERATORS,
  type Operator,
  type Path,
  RESET,
  type Segment,
  type Statement,
} from '@varstream/varstream';
import { ClientError } from '../errors.js';
import { pathText } from '../paths/path-input.js';

/**
 * Builds the statements that write `value` at `path`: a scalar is one `=`
 * statement; an object or array is `path={}` / `path=[]` followed by its
 * children, each addressed absolutely (after `list.+={}`, the new element is
 * `list.*`). `undefined` deletes. Throws `UNSUPPORTED_VALUE` for values
 * VarStream cannot hold.
 */
export function setStatements(path: Path, value: unknown): Statement[] {
  const out: Statement[] = [];
  expand(path, value, out, new Set());
  return out;
}

/** One statement with any operator; `&=` takes the referenced path as `value`. */
export function opStatement(op: Operator, path: Path, value: unknown): Statement {
  if (!OPERATORS.includes(op) || op === '~=') {
    throw new ClientError(
      'BAD_OPERATOR',
      `Unknown operator ${JSON.stringify(op)} (=, +=, -=, *=, /=, %= or &=; ~= is splice())`,
    );
  }
  if (op === '&=') {
    if (!Array.isArray(value)) throw new ClientError('UNSUPPORTED_VALUE', '"&=" needs a path');
    return { op, path, value: undefined, ref: value as Path, line: 0 };
  }
  if (op === '=') {
    if (value === undefined) return { op, path, value: undefined, line: 0 };
  } else if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean') {
    throw new ClientError('UNSUPPORTED_VALUE', `"${op}" needs a number, a string or a boolean`);
  }
  return { op, path, value: literal(value, path), line: 0 };
}

/**
 * One `~=` statement: `at` and `deleteCount` are whole numbers from 0 (UTF-16
 * positions), `text` a string; anything else is `BAD_SPLICE` (a negative or
 * fractional position would otherwise show in the view, then be refused).
 */
export function spliceStatement(
  path: Path,
  at: number,
  deleteCount: number,
  text: string,
): Statement {
  if (!isCount(at) || !isCount(deleteCount) || typeof text !== 'string') {
    throw new ClientError(
      'BAD_SPLICE',
      `splice(${String(at)}, ${String(deleteCount)}, …): positions and counts are whole numbers from 0, the text a string`,
    );
  }
  return { op: '~=', path, value: undefined, splice: { at, del: deleteCount, text }, line: 0 };
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

function expand(path: Path, value: unknown, out: Statement[], seen: Set<object>): void {
  if (value === undefined) {
    out.push({ op: '=', path, value: undefined, line: 0 });
    return;
  }
  if (value === null || typeof value !== 'object') {
    out.push({ op: '=', path, value: literal(value, path), line: 0 });
    return;
  }
  if (seen.has(value)) {
    throw new ClientError('UNSUPPORTED_VALUE', `Circular value at ${pathText(path) || 'the root'}`);
  }
  const isArray = Array.isArray(value);
  if (!isArray && !isPlainObject(value)) {
    throw new ClientError(
      'UNSUPPORTED_VALUE',
      `Only plain objects and arrays can be written (at ${pathText(path) || 'the root'})`,
    );
  }
  seen.add(value);
  out.push({ op: '=', path, value: isArray ? EMPTY_ARRAY : EMPTY_OBJECT, line: 0 });
  const base = settled(path);
  if (isArray) {
    const arr = value as unknown[];
    for (let i = 0; i < arr.length; i++) {
      if (arr[i] !== undefined) expand([...base, i], arr[i], out, seen);
    }
  } else {
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) expand([...base, key], child, out, seen);
    }
  }
  seen.delete(value);
}

/**
 * The path that, after a statement at `path`, addresses what it wrote: the
 * element `+` appended is now the last (`*`), and after `!` it is index 0.
 */
export function settled(path: Path): Segment[] {
  return path.map((s) => (s === APPEND ? LAST : s === RESET ? 0 : s));
}

function literal(value: unknown, path: Path): Literal {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return value;
    default:
      if (value === null) return null;
      throw new ClientError(
        'UNSUPPORTED_VALUE',
        `A ${typeof value} cannot be written (at ${pathText(path) || 'the root'})`,
      );
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

import { formatPath, type Segment } from '../path.js';
import { JsonError } from './errors.js';

export interface JsonWriterOptions {
  /** Indentation, as `JSON.stringify`'s third argument (spaces, at most 10, or a string). */
  indent?: number | string;
  /** Approximate size of the chunks `read()` returns. Default 65 536. */
  chunkSize?: number;
}

interface Frame {
  node: object;
  isArray: boolean;
  keys: string[] | undefined;
  i: number;
  /** Members written so far. */
  written: number;
}

function gapOf(indent: number | string | undefined): string {
  if (typeof indent === 'number') return ' '.repeat(Math.max(0, Math.min(10, Math.floor(indent))));
  if (typeof indent === 'string') return indent.slice(0, 10);
  return '';
}

/** What JSON.stringify sees for a member: `toJSON()` applied. */
function toJSONValue(value: unknown, key: string): unknown {
  if (
    value !== null &&
    (typeof value === 'object' || typeof value === 'bigint') &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    return (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  return value;
}

/** True for what JSON leaves out of objects (and writes as null in arrays). */
function isAbsent(value: unknown): boolean {
  const t = typeof value;
  return t === 'undefined' || t === 'function' || t === 'symbol';
}

/**
 * Writes a value as JSON text lazily: `read()` returns the next chunk (or
 * null at the end), so the text never has to exist whole. The output is
 * `JSON.stringify(value, null, indent)` except that `-0` is written `-0`
 * (valid JSON, and `JSON.parse` reads it back as -0). Never recursive. A
 * circular reference is a `JSON_UNSUPPORTED` error; a value shared by two
 * paths is written twice, as `JSON.stringify` does (see `checkJson`).
 */
export class JsonWriter implements Iterable<string> {
  readonly #gap: string;
  readonly #chunkSize: number;
  readonly #stack: Frame[] = [];
  readonly #open = new Set<object>();
  readonly #indents: string[] = [''];
  readonly #root: unknown;
  #out = '';
  #started = false;
  #done = false;

  constructor(value: unknown, options: JsonWriterOptions = {}) {
    this.#root = value;
    this.#gap = gapOf(options.indent);
    this.#chunkSize = options.chunkSize ?? 65_536;
  }

  read(): string | null {
    if (this.#done) return null;
    this.#run(this.#chunkSize);
    const out = this.#out;
    this.#out = '';
    if (out.length === 0) {
      this.#done = true;
      return null;
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let chunk = this.read(); chunk !== null; chunk = this.read()) yield chunk;
  }

  toString(): string {
    this.#run(Number.POSITIVE_INFINITY);
    const out = this.#out;
    this.#out = '';
    this.#done = true;
    return out;
  }

  #indent(level: number): string {
    const indents = this.#indents;
    while (indents.length <= level) indents.push(indents[indents.length - 1]! + this.#gap);
    return indents[level]!;
  }

  #run(budget: number): void {
    if (!this.#started) {
      this.#started = true;
      const root = toJSONValue(this.#root, '');
      if (isAbsent(root)) this.#out += 'null';
      else this.#value(root);
    }
    const stack = this.#stack;
    while (stack.length > 0 && this.#out.length < budget) {
      const frame = stack[stack.length - 1]!;
      if (frame.isArray) {
        const arr = frame.node as unknown[];
        if (frame.i >= arr.length) {
          this.#close(frame);
          continue;
        }
        const index = frame.i++;
        this.#separator(frame);
        const value = toJSONValue(arr[index], String(index));
        if (isAbsent(value)) this.#out += 'null';
        else this.#value(value);
        continue;
      }
      const keys = frame.keys!;
      if (frame.i >= keys.length) {
        this.#close(frame);
        continue;
      }
      const key = keys[frame.i++]!;
      const value = toJSONValue((frame.node as Record<string, unknown>)[key], key);
      if (isAbsent(value)) continue;
      this.#separator(frame);
      this.#out += this.#gap === '' ? `${JSON.stringify(key)}:` : `${JSON.stringify(key)}: `;
      this.#value(value);
    }
  }

  #separator(frame: Frame): void {
    const nl = this.#gap === '' ? '' : `\n${this.#indent(this.#stack.length)}`;
    if (frame.written === 0) this.#out += (frame.isArray ? '[' : '{') + nl;
    else this.#out += `,${nl}`;
    frame.written++;
  }

  #close(frame: Frame): void {
    this.#stack.pop();
    this.#open.delete(frame.node);
    if (frame.written === 0) {
      this.#out += frame.isArray ? '[]' : '{}';
      return;
    }
    const nl = this.#gap === '' ? '' : `\n${this.#indent(this.#stack.length)}`;
    this.#out += nl + (frame.isArray ? ']' : '}');
  }

  #value(value: unknown): void {
    switch (typeof value) {
      case 'string':
        this.#out += JSON.stringify(value);
        return;
      case 'number':
        this.#out += Number.isFinite(value)
          ? Object.is(value, -0)
            ? '-0'
            : String(value)
          : 'null';
        return;
      case 'boolean':
        this.#out += value ? 'true' : 'false';
        return;
      case 'bigint':
        throw new JsonError('JSON_UNSUPPORTED', 'A BigInt value cannot be written as JSON', {
          path: formatPath(this.#path()),
        });
      default:
        if (value === null) {
          this.#out += 'null';
          return;
        }
    }
    const node = value as object;
    if (this.#open.has(node)) {
      throw new JsonError('JSON_UNSUPPORTED', 'A circular reference cannot be written as JSON', {
        path: formatPath(this.#path()),
      });
    }
    const isArray = Array.isArray(node);
    this.#open.add(node);
    this.#stack.push({
      node,
      isArray,
      keys: isArray ? undefined : Object.keys(node),
      i: 0,
      written: 0,
    });
  }

  /** Path of the member being written. */
  #path(): Segment[] {
    const path: Segment[] = [];
    for (const frame of this.#stack) {
      const at = frame.i - 1;
      path.push(frame.isArray ? at : frame.keys![at]!);
    }
    return path;
  }
}

/** Writes a whole value as JSON text (see `JsonWriter`). */
export function toJsonText(value: unknown, options?: JsonWriterOptions): string {
  return new JsonWriter(value, options).toString();
}

/** A place where JSON cannot keep a value as it is. */
export interface JsonLoss {
  /** The path, in VarStream syntax. */
  readonly path: string;
  readonly reason: string;
}

interface WalkFrame {
  node: object;
  isArray: boolean;
  keys: string[] | undefined;
  i: number;
}

/**
 * Checks that a tree can be JSON. Throws a `JSON_UNSUPPORTED` `JsonError` at
 * the first value reached by two paths (a circular or shared reference made
 * with `&=`: JSON would loop or duplicate it). Calls `onLoss` for each value
 * JSON writes differently (NaN and ±Infinity become null, array holes null).
 * Iterative, linear in the size of the tree.
 */
export function checkJson(value: unknown, onLoss?: (loss: JsonLoss) => void): void {
  const seen = new Set<object>();
  const stack: WalkFrame[] = [];
  const pathOf = (): Segment[] =>
    stack.map((f) => (f.isArray ? f.i - 1 : f.keys![f.i - 1]!) as Segment);
  const visit = (v: unknown): void => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v) && onLoss !== undefined) {
        onLoss({ path: formatPath(pathOf()), reason: `${v} is not JSON: written as null` });
      }
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (seen.has(v)) {
      const here = pathOf();
      const ancestor = stack.findIndex((f) => f.node === v);
      if (ancestor !== -1) {
        const target = formatPath(here.slice(0, ancestor));
        throw new JsonError(
          'JSON_UNSUPPORTED',
          `Circular reference to ${target}: JSON cannot hold it`,
          { path: formatPath(here) },
        );
      }
      const first = findPath(value, v);
      throw new JsonError(
        'JSON_UNSUPPORTED',
        `Shared reference: the same value as ${first === undefined ? 'an earlier path' : formatPath(first)} (JSON would duplicate it)`,
        { path: formatPath(here) },
      );
    }
    seen.add(v);
    const isArray = Array.isArray(v);
    stack.push({ node: v, isArray, keys: isArray ? undefined : Object.keys(v), i: 0 });
  };
  visit(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.isArray) {
      const arr = frame.node as unknown[];
      if (frame.i >= arr.length) {
        stack.pop();
        continue;
      }
      const index = frame.i++;
      if (!Object.hasOwn(arr, index)) {
        if (onLoss !== undefined) {
          onLoss({
            path: formatPath(pathOf()),
            reason: 'An array hole is not JSON: written as null',
          });
        }
        continue;
      }
      visit(arr[index]);
      continue;
    }
    const keys = frame.keys!;
    if (frame.i >= keys.length) {
      stack.pop();
      continue;
    }
    const key = keys[frame.i++]!;
    visit((frame.node as Record<string, unknown>)[key]);
  }
}

/** The first path (depth first, in key order) that reaches `target`. */
function findPath(root: unknown, target: object): Segment[] | undefined {
  if (root === target) return [];
  const seen = new Set<object>();
  const stack: WalkFrame[] = [];
  const push = (v: unknown): boolean => {
    if (v === target) return true;
    if (v === null || typeof v !== 'object' || seen.has(v)) return false;
    seen.add(v);
    const isArray = Array.isArray(v);
    stack.push({ node: v, isArray, keys: isArray ? undefined : Object.keys(v), i: 0 });
    return false;
  };
  push(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const n = frame.isArray ? (frame.node as unknown[]).length : frame.keys!.length;
    if (frame.i >= n) {
      stack.pop();
      continue;
    }
    const at = frame.i++;
    const child = frame.isArray
      ? (frame.node as unknown[])[at]
      : (frame.node as Record<string, unknown>)[frame.keys![at]!];
    if (push(child)) {
      return stack.map((f) => (f.isArray ? f.i - 1 : f.keys![f.i - 1]!) as Segment);
    }
  }
  return undefined;
}

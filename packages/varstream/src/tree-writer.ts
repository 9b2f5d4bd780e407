import { VarStreamError } from './errors.js';
import { formatPath, isBareKey, quote, type Segment } from './path.js';
import { formatNumber, formatString } from './value.js';

export interface WriterOptions {
  /** Use `^` and `^N` back references when they make a line shorter. Default true. */
  compress?: boolean;
  /**
   * How array elements are addressed: `'append'` writes `!` for the first
   * element, `+` for each next one and `*` for later lines of the same
   * element (what 0.3.2 calls MERGE_ARRAYS, done right); `'index'` writes
   * explicit indices. Sparse arrays always use indices. Default `'append'`.
   */
  arrays?: 'append' | 'index';
  /** Write a shared or circular object once and refer to it with `&=`. Default true. */
  references?: boolean;
  /** Approximate size of the chunks `read()` returns. Default 65 536. */
  chunkSize?: number;
}

interface Frame {
  node: object;
  isArray: boolean;
  /** Object keys, or the remaining indices of a sparse array. */
  keys: string[] | number[] | undefined;
  i: number;
  /** Dense arrays: true once a hole was met (then indices are written). */
  sparse: boolean;
  parent: Frame | undefined;
  /** This container's segment in its parent (for reference paths). */
  seg: Segment;
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;

/**
 * Writes a tree as VarStream text, lazily: `read()` returns the next chunk
 * (or null at the end), so a large tree streams with backpressure and the
 * output never has to exist whole. Never recursive: any depth works.
 */
export class TreeWriter implements Iterable<string> {
  readonly #compress: boolean;
  readonly #append: boolean;
  readonly #refs: Map<object, Frame> | undefined;
  readonly #chunkSize: number;
  readonly #stack: Frame[] = [];
  /** Text of each path segment of the current line, and cumulative lengths. */
  readonly #texts: string[] = [];
  readonly #cum: number[] = [0];
  /** Segment d addresses an array element written with `!`/`+` until its first line. */
  readonly #fresh: boolean[] = [];
  readonly #out = new Output();
  readonly #heads = new Map<string, string>();
  #started = false;
  #done = false;
  /** Length of the previous line's path; segments shared with it. */
  #prevLen = 0;
  #shared = 0;
  /** Frames below this depth have had a line written under them. */
  #emitted = 0;
  #root: unknown;

  constructor(value: unknown, options: WriterOptions = {}) {
    this.#root = value;
    this.#compress = options.compress !== false;
    this.#append = options.arrays !== 'index';
    this.#refs = options.references === false ? undefined : new Map();
    this.#chunkSize = options.chunkSize ?? 65_536;
  }

  /** The next chunk of text, or null when everything was written. */
  read(): string | null {
    if (this.#done) return null;
    this.#run(this.#chunkSize);
    const out = this.#out.take();
    if (out.length === 0) {
      this.#done = true;
      return null;
    }
    return out;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let chunk = this.read(); chunk !== null; chunk = this.read()) yield chunk;
  }

  /** Writes everything and returns it as one string. */
  toString(): string {
    this.#run(Number.POSITIVE_INFINITY);
    this.#done = true;
    return this.#out.take();
  }

  #run(budget: number): void {
    if (!this.#started) {
      this.#started = true;
      const root = toJSONValue(this.#root, '');
      if (root === null || typeof root !== 'object') {
        if (root !== undefined) this.#out.put(`^0=${scalarText(root, '^0')}\n`);
        return;
      }
      if (isEmpty(root)) {
        if (Array.isArray(root)) this.#out.put('^0=[]\n');
        return;
      }
      this.#push(root, Array.isArray(root) ? undefined : Object.keys(root), undefined, '', false);
    }
    const stack = this.#stack;
    const out = this.#out;
    while (stack.length > 0 && out.size < budget) {
      const frame = stack[stack.length - 1]!;
      const depth = stack.length - 1; // segments to reach `frame`
      let key: Segment;
      let raw: unknown;
      if (frame.isArray) {
        const arr = frame.node as unknown[];
        if (frame.keys !== undefined) {
          const keys = frame.keys as number[];
          if (frame.i >= keys.length) {
            this.#pop();
            continue;
          }
          key = keys[frame.i++]!;
          raw = arr[key];
        } else {
          if (frame.i >= arr.length) {
            this.#pop();
            continue;
          }
          key = frame.i++;
          if (!(key in arr)) {
            // A hole: from here on, indices; skip holes without walking them.
            frame.sparse = true;
            frame.keys = sparseIndices(arr, key);
            frame.i = 0;
            continue;
          }
          raw = arr[key];
        }
      } else {
        const keys = frame.keys as string[];
        if (frame.i >= keys.length) {
          this.#pop();
          continue;
        }
        key = keys[frame.i++]!;
        raw = (frame.node as Record<string, unknown>)[key];
      }
      // What JSON.stringify would see (toJSONValue, without the call for most values).
      let value: unknown;
      if (typeof raw === 'object' || typeof raw === 'bigint') value = toJSONValue(raw, key);
      else if (typeof raw === 'function' || typeof raw === 'symbol') value = undefined;
      else value = raw;
      if (value === undefined) {
        if (frame.isArray && !frame.sparse) {
          frame.sparse = true;
          frame.keys = sparseIndices(frame.node as unknown[], (key as number) + 1);
          frame.i = 0;
        }
        continue;
      }
      const text = this.#segmentText(frame, key);
      if (value !== null && typeof value === 'object') {
        const seen = this.#refs?.get(value);
        if (seen !== undefined) {
          this.#reference(depth, text, seen);
          continue;
        }
        const keys = Array.isArray(value) ? undefined : Object.keys(value);
        if (keys === undefined ? (value as unknown[]).length > 0 : keys.length > 0) {
          this.#push(value, keys, frame, text, frame.isArray && this.#append && !frame.sparse, key);
          continue;
        }
        if (this.#refs !== undefined) this.#refs.set(value, this.#frameFor(value, frame, key));
        this.#line(depth, text, Array.isArray(value) ? '=[]' : '={}');
        continue;
      }
      this.#line(depth, text, '=', scalarText(value, key));
    }
  }

  #segmentText(frame: Frame, key: Segment): string {
    if (typeof key === 'string') return isBareKey(key) ? key : quote(key);
    if (this.#append && !frame.sparse) return key === 0 ? '!' : '+';
    return String(key);
  }

  /** Enters `node`; `keys` are its keys, undefined for an array. */
  #push(
    node: object,
    keys: string[] | undefined,
    parent: Frame | undefined,
    text: string,
    element: boolean,
    seg: Segment = '',
  ): void {
    const frame: Frame = {
      node,
      isArray: keys === undefined,
      keys,
      i: 0,
      sparse: false,
      parent,
      seg,
    };
    if (this.#refs !== undefined) this.#refs.set(node, frame);
    const stack = this.#stack;
    if (parent !== undefined) {
      const d = stack.length - 1; // index of this segment
      this.#texts[d] = text;
      this.#fresh[d] = element;
      this.#cum[d + 1] = this.#cum[d]! + text.length + 1;
    }
    stack.push(frame);
  }

  #pop(): void {
    this.#stack.pop();
    const depth = Math.max(0, this.#stack.length - 1);
    if (this.#shared > depth) this.#shared = depth;
    if (this.#emitted > this.#stack.length) this.#emitted = this.#stack.length;
  }

  #frameFor(node: object, parent: Frame, seg: Segment): Frame {
    return {
      node,
      isArray: Array.isArray(node),
      keys: undefined,
      i: 0,
      sparse: false,
      parent,
      seg,
    };
  }

  /**
   * Writes one line whose path is the current stack (`depth` segments) plus
   * `leaf`, then `op` and `value`: a `^`/`^N` prefix when it is shorter.
   */
  #line(depth: number, leaf: string, op: string, value = ''): void {
    const cum = this.#cum;
    const texts = this.#texts;
    const out = this.#out;
    const k = this.#shared;
    const absolute = cum[depth]! + leaf.length;
    let prefix = '';
    if (this.#compress && k > 0 && this.#prevLen > 0) {
      prefix = k === this.#prevLen - 1 ? '^' : backTo(k);
      if (prefix.length + 1 + (absolute - cum[k]!) >= absolute) prefix = '';
    }
    if (prefix === '^' && k === depth && op === '=') {
      // A sibling of the previous line's leaf, the most common line: `^.leaf=value`.
      out.put3(this.#siblingHead(leaf), value, '\n');
      this.#lineWritten(depth);
      return;
    }
    if (prefix !== '') {
      out.put(prefix);
      for (let d = k; d < depth; d++) out.put2('.', texts[d]!);
      out.put2('.', leaf);
    } else {
      for (let d = 0; d < depth; d++) out.put2(texts[d]!, '.');
      out.put(leaf);
    }
    out.put3(op, value, '\n');
    this.#lineWritten(depth);
  }

  /** `^.leaf=`, made once for each leaf (up to a bound): fewer pieces to join. */
  #siblingHead(leaf: string): string {
    const heads = this.#heads;
    let head = heads.get(leaf);
    if (head === undefined) {
      head = `^.${leaf}=`;
      if (heads.size < 4096) heads.set(leaf, head);
    }
    return head;
  }

  #lineWritten(depth: number): void {
    // Elements created by this line are now the last of their arrays.
    this.#created(depth);
    this.#emitted = this.#stack.length;
    this.#prevLen = depth + 1;
    this.#shared = depth;
  }

  /** The elements created by the line just written are now the last of their arrays: `*`. */
  #created(depth: number): void {
    const texts = this.#texts;
    for (let d = Math.max(0, this.#emitted - 1); d < depth; d++) if (this.#fresh[d]) texts[d] = '*';
  }

  /** `path&=target`: the left side is written whole, as the reader expands the right side first. */
  #reference(depth: number, leaf: string, target: Frame): void {
    const texts = this.#texts;
    const out = this.#out;
    for (let d = 0; d < depth; d++) out.put2(texts[d]!, '.');
    out.put3(leaf, '&=', formatPath(pathOf(target)));
    out.put('\n');
    this.#created(depth);
    this.#emitted = this.#stack.length;
    this.#prevLen = depth + 1;
    this.#shared = depth;
  }
}

/** Below this many characters, the output is one string grown with `+=`. */
const ROPE_LIMIT = 32_768;

/**
 * The text written and not yet returned. Up to ROPE_LIMIT characters it is
 * one string grown with `+=` (the engine keeps it as a rope: cheapest for
 * the small outputs most writes are); beyond, pieces are kept in an array
 * and joined 2048 at a time (a rope grown from a large output would be
 * walked and copied by every garbage collection until the end, and
 * flattening it costs more than joining). Measured on the bench sets: a
 * third less time below the limit, the same above it.
 */
class Output {
  /** The text so far while it is short. */
  #rope = '';
  #roping = true;
  readonly #parts: string[] = [];
  #count = 0;
  readonly #joined: string[] = [];

  /** Length of the text held. */
  size = 0;

  put(a: string): void {
    if (this.#roping) {
      this.#rope += a;
      this.size = this.#rope.length;
      if (this.size > ROPE_LIMIT) this.#unrope();
      return;
    }
    this.#parts[this.#count++] = a;
    this.size += a.length;
    if (this.#count >= 2048) this.#join();
  }

  put2(a: string, b: string): void {
    if (this.#roping) {
      this.#rope += a + b;
      this.size = this.#rope.length;
      return;
    }
    this.put(a);
    this.put(b);
  }

  put3(a: string, b: string, c: string): void {
    if (this.#roping) {
      this.#rope += a + b + c;
      this.size = this.#rope.length;
      if (this.size > ROPE_LIMIT) this.#unrope();
      return;
    }
    this.put(a);
    this.put(b);
    this.put(c);
  }

  /** Everything held, as one string; empties the output. */
  take(): string {
    if (this.#roping) {
      const text = this.#rope;
      this.#rope = '';
      this.size = 0;
      return text;
    }
    this.#join();
    const joined = this.#joined;
    const text = joined.length === 1 ? joined[0]! : joined.join('');
    joined.length = 0;
    this.size = 0;
    this.#roping = true;
    return text;
  }

  /** From now on, pieces: the short text so far is the first chunk. */
  #unrope(): void {
    this.#roping = false;
    this.#joined.push(this.#rope);
    this.#rope = '';
  }

  #join(): void {
    const parts = this.#parts;
    const count = this.#count;
    if (count === 0) return;
    // The array is reused: only its first `count` pieces are this chunk's.
    this.#joined.push(count === parts.length ? parts.join('') : parts.slice(0, count).join(''));
    this.#count = 0;
  }
}

const BACK_TO: string[] = [];

/** `^N`, made once for each N. */
function backTo(n: number): string {
  return (BACK_TO[n] ??= `^${n}`);
}

function pathOf(frame: Frame): Segment[] {
  const path: Segment[] = [];
  for (let f: Frame | undefined = frame; f?.parent !== undefined; f = f.parent) path.push(f.seg);
  return path.reverse();
}

function isEmpty(value: object): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

/** Indices of the elements of a sparse array from `from` on, in order, without walking holes. */
function sparseIndices(arr: unknown[], from: number): number[] {
  const out: number[] = [];
  for (const key of Object.keys(arr)) {
    if (!ARRAY_INDEX.test(key)) continue;
    const index = Number(key);
    if (
      index >= from &&
      arr[index] !== undefined &&
      typeof arr[index] !== 'function' &&
      typeof arr[index] !== 'symbol'
    ) {
      out.push(index);
    }
  }
  return out;
}

/** What JSON.stringify would see: `toJSON()` applied; functions, symbols and undefined are absent. */
function toJSONValue(value: unknown, key: Segment): unknown {
  const t = typeof value;
  if (t === 'object') {
    if (value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      return (value as { toJSON(key: string): unknown }).toJSON(String(key));
    }
    return value;
  }
  if (t === 'function' || t === 'symbol' || t === 'undefined') return undefined;
  if (t === 'bigint') {
    throw new VarStreamError('UNSUPPORTED_VALUE', 'BigInt values cannot be written', {
      path: String(key),
    });
  }
  return value;
}

function scalarText(value: unknown, key: Segment): string {
  switch (typeof value) {
    case 'string':
      return formatString(value);
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      if (value === null) return 'null';
      throw new VarStreamError('UNSUPPORTED_VALUE', `Cannot write ${typeof value}`, {
        path: String(key),
      });
  }
}

/**
 * Lives as long as the module: it keeps the hidden classes of `TreeWriter` and
 * `Output`, and so the optimized code that depends on them, alive between two
 * calls (else every garbage collection in between would throw that code away).
 * @internal
 */
export const keepAlive = new TreeWriter(undefined);

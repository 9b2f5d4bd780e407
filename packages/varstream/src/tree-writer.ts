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

/**
 * A container being written. Frames are reused by depth (the walk allocates
 * none once the deepest level was reached); a container's place in the
 * tree, for `&=` references, is kept by the `Containers` registry.
 */
class Frame {
  node: object = Frame;
  isArray = false;
  /** Object keys, or the remaining indices of a sparse array. */
  keys: string[] | number[] | undefined = undefined;
  i = 0;
  /** Dense arrays: true once a hole was met (then indices are written). */
  sparse = false;
  /** This container's number in the registry (-1 without references). */
  id = -1;
  /**
   * Texts of the keys `shape` (the keys of an object written at this depth):
   * each key as a path segment, and as the head of a sibling line
   * (`^.seg=`), made when first needed. Objects met in a row at one depth
   * often have the same keys (records): their texts are made once. The
   * arrays are made on first use (a deep path has a frame per level).
   */
  shape: string[] = NO_TEXTS;
  segs: string[] = NO_TEXTS;
  heads: string[] = NO_TEXTS;
  /** True from the second object in a row with the keys `shape`. */
  repeated = false;

  /**
   * The heads of the last two lines `#line` wrote here with a `^` prefix
   * (`\n^1.+.date=`): records in a row start and end with the same ones.
   */
  h0: LineHead = NO_LINE_HEAD;
  h1: LineHead = NO_LINE_HEAD;
  /** Which of `h0` and `h1` is replaced next. */
  older = 0;

  /** Enters an object: its keys' texts are kept when they are the previous object's keys. */
  keysOf(keys: string[]): void {
    if (!sameKeys(this.shape, keys)) {
      this.shape = keys;
      this.segs = NO_TEXTS;
      this.heads = NO_TEXTS;
      this.repeated = false;
    } else this.repeated = true;
  }

  /** Key `i` as a path segment: bare when it reads back as itself, else quoted. */
  seg(i: number): string {
    let seg = this.segs[i];
    if (seg === undefined) {
      const key = this.shape[i]!;
      seg = isBareKey(key) ? key : quote(key);
      if (!this.repeated) return seg; // kept once a second object has these keys
      if (this.segs === NO_TEXTS) this.segs = [];
      this.segs[i] = seg;
    }
    return seg;
  }

  /** `\n^.seg=` for key `i` (the output writes each line break before its line). */
  head(i: number): string {
    let head = this.heads[i];
    if (head === undefined) {
      head = `\n^.${this.seg(i)}=`;
      if (this.heads === NO_TEXTS) this.heads = [];
      this.heads[i] = head;
    }
    return head;
  }
}

/** The head of a line (`\n^1.+.date=`) and what it is made of. */
class LineHead {
  head = '';
  prefix = '';
  /** Segments between the prefix and the leaf (0 to 2), and the first two of them. */
  span = -1;
  a = '';
  b = '';
  leaf = '';
  op = '';

  /** True when this is the head of `prefix`, `span` segments `a` and `b`, `leaf` and `op`. */
  is(prefix: string, span: number, a: string, b: string, leaf: string, op: string): boolean {
    return (
      this.prefix === prefix &&
      this.span === span &&
      this.a === a &&
      this.b === b &&
      this.leaf === leaf &&
      this.op === op
    );
  }
}

/** The texts of a frame before they are made: empty, never written to. */
const NO_TEXTS: string[] = [];

/** What a frame holds before its first line head: matches no line (`span` -1), never written. */
const NO_LINE_HEAD = new LineHead();

function sameKeys(a: string[], b: string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
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
  readonly #refs: Containers | undefined;
  /** Without references: the containers being written, to refuse a circular one. */
  readonly #ancestors: Set<object> | undefined;
  readonly #chunkSize: number;
  /** Frames by depth; `#top` is the index of the current one (-1: none). */
  readonly #frames: Frame[] = [new Frame()];
  #top = -1;
  /** Text of each path segment of the current line, and cumulative lengths. */
  readonly #texts: string[] = [];
  readonly #cum: number[] = [0];
  /** Segment d addresses an array element written with `!`/`+` until its first line. */
  readonly #fresh: boolean[] = [];
  readonly #out = new Output();
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
    this.#refs = options.references === false ? undefined : new Containers();
    this.#ancestors = options.references === false ? new Set() : undefined;
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
      if (!this.#start()) return;
    }
    const frames = this.#frames;
    const out = this.#out;
    while (this.#top >= 0 && out.size < budget) {
      const frame = frames[this.#top]!;
      if (frame.isArray) this.#arrayEntries(frame, budget);
      else this.#objectEntries(frame, budget);
    }
  }

  /** Writes a root that is not a container with entries; false when nothing is left to walk. */
  #start(): boolean {
    const root = toJSONValue(this.#root, '');
    if (root === null || typeof root !== 'object') {
      if (root !== undefined) this.#out.put(`\n^0=${scalarText(root, '^0')}`);
      return false;
    }
    if (isEmpty(root)) {
      if (Array.isArray(root)) this.#out.put('\n^0=[]');
      return false;
    }
    this.#refs?.visit(root, -1, '');
    const id = this.#refs === undefined ? -1 : this.#refs.last;
    this.#push(root, Array.isArray(root) ? undefined : Object.keys(root), '', false, id);
    return true;
  }

  /**
   * Writes the entries of an object frame until one is a container with
   * entries (entered: it is the new current frame), the budget is spent or
   * the object is done (left).
   */
  #objectEntries(frame: Frame, budget: number): void {
    const keys = frame.keys as string[];
    const node = frame.node as Record<string, unknown>;
    const depth = this.#top;
    const out = this.#out;
    while (frame.i < keys.length) {
      if (out.size >= budget) return;
      const key = keys[frame.i++]!;
      const raw = node[key];
      let text: string;
      switch (typeof raw) {
        case 'string':
          text = formatString(raw);
          break;
        case 'number':
          text = formatNumber(raw);
          break;
        case 'boolean':
          text = raw ? 'true' : 'false';
          break;
        case 'object':
          if (raw === null) {
            text = 'null';
            break;
          }
          if (this.#entry(frame, depth, key, toJSONValue(raw, key))) return;
          continue;
        case 'bigint':
          toJSONValue(raw, key); // throws
          continue;
        default:
          continue; // undefined, functions and symbols are left out
      }
      if (this.#siblingOf(depth)) {
        out.put(frame.head(frame.i - 1));
        out.line(text);
      } else this.#line(depth, frame.seg(frame.i - 1), '=', text);
    }
    this.#pop();
  }

  /** `#objectEntries` for an array frame: elements in order, holes never walked. */
  #arrayEntries(frame: Frame, budget: number): void {
    const arr = frame.node as unknown[];
    const depth = this.#top;
    const out = this.#out;
    for (;;) {
      let index: number;
      if (frame.keys !== undefined) {
        const keys = frame.keys as number[];
        if (frame.i >= keys.length) break;
        index = keys[frame.i++]!;
      } else {
        if (frame.i >= arr.length) break;
        index = frame.i++;
        if (!(index in arr)) {
          // A hole: from here on, indices; skip holes without walking them.
          this.#sparseFrom(frame, index);
          continue;
        }
      }
      const raw = arr[index];
      let text: string;
      switch (typeof raw) {
        case 'string':
          text = formatString(raw);
          break;
        case 'number':
          text = formatNumber(raw);
          break;
        case 'boolean':
          text = raw ? 'true' : 'false';
          break;
        default:
          if (raw === null) {
            text = 'null';
            break;
          }
          if (this.#entry(frame, depth, index, toJSONValue(raw, index))) return;
          if (out.size >= budget) return;
          continue;
      }
      const leaf = this.#elementText(frame, index);
      if (this.#siblingOf(depth)) {
        out.put(leaf === '+' ? '\n^.+=' : `\n^.${leaf}=`);
        out.line(text);
      } else this.#line(depth, leaf, '=', text);
      if (out.size >= budget) return;
    }
    this.#holesAtEnd(arr, depth);
    this.#pop();
  }

  /**
   * An array that ends with holes (`l.5=1` then `l.5=`), or holds nothing
   * but holes, keeps its length: its last slot is written, then deleted
   * (`l.5=0`, `^.5=`), which leaves a hole there in every reader. Without
   * it the array was read back shorter, and an array of holes inside an
   * array was left out whole, moving the elements after it.
   */
  #holesAtEnd(arr: unknown[], depth: number): void {
    const last = arr.length - 1;
    if (last < 0 || last in arr) return;
    const leaf = String(last);
    this.#line(depth, leaf, '=', '0');
    this.#line(depth, leaf, '=');
  }

  /**
   * True when a line at `depth` follows a line at the same depth in the same
   * container and `^.leaf` is shorter than its absolute path: the most
   * common line, `^.leaf=value`, written without `#line`'s bookkeeping
   * (which would leave every field as it is).
   */
  #siblingOf(depth: number): boolean {
    return (
      this.#shared === depth &&
      this.#prevLen === depth + 1 &&
      this.#compress &&
      this.#cum[depth]! > 2
    );
  }

  /**
   * Any entry but a plain scalar (`value` is what JSON.stringify sees):
   * entered when it is a container with entries (returns true), else
   * written as one line or left out.
   */
  #entry(frame: Frame, depth: number, key: Segment, value: unknown): boolean {
    if (value === undefined) {
      if (frame.isArray && frame.keys === undefined) this.#sparseFrom(frame, (key as number) + 1);
      return false;
    }
    const text = frame.isArray ? this.#elementText(frame, key as number) : frame.seg(frame.i - 1);
    if (value === null || typeof value !== 'object') {
      this.#line(depth, text, '=', scalarText(value, key));
      return false;
    }
    const refs = this.#refs;
    let id = -1;
    if (refs !== undefined) {
      const first = refs.visit(value, frame.id, key);
      if (first !== -1) {
        this.#reference(depth, text, refs.pathOf(first));
        return false;
      }
      id = refs.last;
    } else if (this.#ancestors!.has(value)) {
      throw new VarStreamError(
        'UNSUPPORTED_VALUE',
        'A circular value cannot be written with references: false',
        { path: String(key) },
      );
    }
    const keys = Array.isArray(value) ? undefined : Object.keys(value);
    if (keys === undefined ? (value as unknown[]).length > 0 : keys.length > 0) {
      this.#push(value, keys, text, frame.isArray && this.#append && !frame.sparse, id);
      return true;
    }
    this.#line(depth, text, Array.isArray(value) ? '=[]' : '={}');
    return false;
  }

  /** From index `from` on, the array's indices are written: holes are skipped without walking them. */
  #sparseFrom(frame: Frame, from: number): void {
    frame.sparse = true;
    frame.keys = sparseIndices(frame.node as unknown[], from);
    frame.i = 0;
  }

  #elementText(frame: Frame, index: number): string {
    if (this.#append && !frame.sparse) return index === 0 ? '!' : '+';
    return String(index);
  }

  /** Enters `node`; `keys` are its keys, undefined for an array. */
  #push(
    node: object,
    keys: string[] | undefined,
    text: string,
    element: boolean,
    id: number,
  ): void {
    const depth = ++this.#top;
    let frame = this.#frames[depth];
    if (frame === undefined) {
      frame = new Frame();
      this.#frames.push(frame);
    }
    frame.node = node;
    frame.isArray = keys === undefined;
    frame.keys = keys;
    if (keys !== undefined) frame.keysOf(keys);
    frame.i = 0;
    frame.sparse = false;
    frame.id = id;
    this.#ancestors?.add(node);
    if (depth > 0) {
      const d = depth - 1; // index of this segment
      this.#texts[d] = text;
      this.#fresh[d] = element;
      this.#cum[d + 1] = this.#cum[d]! + text.length + 1;
    }
  }

  #pop(): void {
    const frame = this.#frames[this.#top--]!;
    this.#ancestors?.delete(frame.node);
    frame.node = Frame; // the tree is not kept alive by a finished frame
    frame.keys = undefined;
    const length = this.#top + 1; // frames left
    const depth = Math.max(0, length - 1);
    if (this.#shared > depth) this.#shared = depth;
    if (this.#emitted > length) this.#emitted = length;
  }

  /**
   * Writes one line whose path is the current stack (`depth` segments) plus
   * `leaf`, then `op` and `value`: a `^`/`^N` prefix when it is shorter.
   */
  #line(depth: number, leaf: string, op: string, value = ''): void {
    const cum = this.#cum;
    const texts = this.#texts;
    const k = this.#shared;
    const absolute = cum[depth]! + leaf.length;
    let prefix = '';
    if (this.#compress && k > 0 && this.#prevLen > 0) {
      prefix = k === this.#prevLen - 1 ? '^' : backTo(k);
      if (prefix.length + 1 + (absolute - cum[k]!) >= absolute) prefix = '';
    }
    const out = this.#out;
    const head = prefix !== '' && depth - k <= 2 ? this.#lineHead(depth, k, prefix, leaf, op) : '';
    if (head !== '') {
      out.put(head);
      out.line(value);
      this.#lineWritten(depth);
      return;
    }
    // Pieces are appended one by one: cheaper than joining them first.
    if (prefix !== '') {
      out.put(NL);
      out.put(prefix);
      for (let d = k; d < depth; d++) {
        out.put('.');
        out.put(texts[d]!);
      }
      out.put('.');
    } else {
      out.put(NL);
      this.#absolutePath(depth);
    }
    out.put(leaf);
    out.put(op);
    out.line(value);
    this.#lineWritten(depth);
  }

  /**
   * `\n` + `prefix` + the segments from `k` to `depth` + `leaf` + `op` when
   * the frame wrote the same head before (made once, on its second use),
   * else '' (the caller appends the pieces; the frame remembers them).
   */
  #lineHead(depth: number, k: number, prefix: string, leaf: string, op: string): string {
    const frame = this.#frames[depth]!;
    const span = depth - k;
    const a = span > 0 ? this.#texts[k]! : '';
    const b = span > 1 ? this.#texts[k + 1]! : '';
    let seen = frame.h0;
    if (!seen.is(prefix, span, a, b, leaf, op)) seen = frame.h1;
    if (seen.is(prefix, span, a, b, leaf, op)) {
      if (seen.head === '') {
        seen.head = `${NL}${prefix}${span > 0 ? `.${a}` : ''}${span > 1 ? `.${b}` : ''}.${leaf}${op}`;
      }
      return seen.head;
    }
    let made = frame.older === 0 ? frame.h0 : frame.h1;
    if (made === NO_LINE_HEAD) {
      made = new LineHead();
      if (frame.older === 0) frame.h0 = made;
      else frame.h1 = made;
    }
    frame.older ^= 1;
    made.head = '';
    made.prefix = prefix;
    made.span = span;
    made.a = a;
    made.b = b;
    made.leaf = leaf;
    made.op = op;
    return '';
  }

  /** The first `depth` segments, each followed by a dot. */
  #absolutePath(depth: number): void {
    const texts = this.#texts;
    const out = this.#out;
    for (let d = 0; d < depth; d++) {
      out.put(texts[d]!);
      out.put('.');
    }
  }

  #lineWritten(depth: number): void {
    // Elements created by this line are now the last of their arrays.
    this.#created(depth);
    this.#emitted = this.#top + 1;
    this.#prevLen = depth + 1;
    this.#shared = depth;
  }

  /** The elements created by the line just written are now the last of their arrays: `*`. */
  #created(depth: number): void {
    const texts = this.#texts;
    for (let d = Math.max(0, this.#emitted - 1); d < depth; d++) if (this.#fresh[d]) texts[d] = '*';
  }

  /** `path&=target`: the left side is written whole, as the reader expands the right side first. */
  #reference(depth: number, leaf: string, target: Segment[]): void {
    const out = this.#out;
    out.put(NL);
    this.#absolutePath(depth);
    out.put(leaf);
    out.put('&=');
    out.line(formatPath(target));
    this.#lineWritten(depth);
  }
}

/**
 * Every container written so far, numbered in order, with its parent's
 * number and its segment in the parent: enough to write the path of its
 * first place when it is met again (`&=`). The common case (nothing met
 * twice) pays one set entry and two array slots per container; a
 * container's number is its place in the set's insertion order, and the
 * map from a container to its number is made from the set only when one
 * is met again.
 */
class Containers {
  readonly #seen = new Set<object>();
  readonly #parents: number[] = [];
  readonly #segs: Segment[] = [];
  /** Number of each container, made when one is met twice and kept up to date from then on. */
  #ids: Map<object, number> | undefined;

  /** Number of the container registered last. */
  get last(): number {
    return this.#parents.length - 1;
  }

  /**
   * Registers `node`, the child `seg` of container `parent` (-1: the root),
   * and returns -1; or, when it was registered before, its number.
   */
  visit(node: object, parent: number, seg: Segment): number {
    const seen = this.#seen;
    const size = seen.size;
    seen.add(node);
    if (seen.size === size) return this.#idOf(node);
    this.#ids?.set(node, size);
    this.#parents.push(parent);
    this.#segs.push(seg);
    return -1;
  }

  /** The path of container `id` from the root. */
  pathOf(id: number): Segment[] {
    const path: Segment[] = [];
    for (let i = id; this.#parents[i]! !== -1; i = this.#parents[i]!) path.push(this.#segs[i]!);
    return path.reverse();
  }

  #idOf(node: object): number {
    let ids = this.#ids;
    if (ids === undefined) {
      ids = new Map();
      for (const seen of this.#seen) ids.set(seen, ids.size);
      this.#ids = ids;
    }
    return ids.get(node)!;
  }
}

/** The output is made of flat strings of about this many characters. */
const CHUNK = 16_384;

/** The line break, written before each line. */
const NL = '\n';

/**
 * The text written and not yet returned: a string grown with `+=` (the
 * engine keeps it as a rope of pieces, the cheapest way to append: cheaper
 * than joining a line's pieces first), made flat every CHUNK characters (a
 * rope grown from a large output would be walked and copied by every
 * garbage collection until the end) and kept with the previous flat
 * chunks, joined once at the end. Each line's break is written before it,
 * so that a sibling line is two pieces, `\n^.key=` (made once per key) and
 * the value; `take()` moves the first break to the end. Measured on the
 * bench sets against an array of pieces joined 2048 at a time, against a
 * byte buffer and against breaks written after their lines: the fastest at
 * every size.
 */
class Output {
  #rope = '';
  readonly #chunks: string[] = [];
  #held = 0;

  /** Length of the text held. */
  get size(): number {
    return this.#held + this.#rope.length;
  }

  /** A piece of a line (the first piece of a line starts with its line break). */
  put(a: string): void {
    this.#rope += a;
  }

  /** The last piece of a line. */
  line(a: string): void {
    this.#rope += a;
    if (this.#rope.length > CHUNK) this.#chunk(a.length < CHUNK / 2);
  }

  /** Everything held, as one flat string of lines; empties the output. */
  take(): string {
    if (this.#rope.length === 0 && this.#held === 0) return '';
    const rope = `${this.#rope}\n`;
    this.#rope = '';
    let text: string;
    if (this.#held === 0) {
      text = rope;
      text.charCodeAt(0); // flat, so that the slice below shares it
    } else {
      const chunks = this.#chunks;
      chunks.push(rope);
      text = chunks.join('');
      chunks.length = 0;
      this.#held = 0;
    }
    return text.slice(1); // the text held starts with a line break
  }

  /**
   * Keeps the rope as a chunk, made flat when it is made of many pieces. A
   * rope mostly made of one large value stays as it is: joining copies it
   * once, flattening it first would copy it twice.
   */
  #chunk(flatten: boolean): void {
    const rope = this.#rope;
    if (flatten) rope.charCodeAt(0); // reading a character makes the rope one flat string
    this.#chunks.push(rope);
    this.#held += rope.length;
    this.#rope = '';
  }
}

const BACK_TO: string[] = [];

/** `^N`, made once for each N. */
function backTo(n: number): string {
  return (BACK_TO[n] ??= `^${n}`);
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
 * Lives as long as the module: it keeps the hidden classes of `TreeWriter`,
 * `Frame`, `Containers` and `Output`, and so the optimized code that depends on them, alive between two
 * calls (else every garbage collection in between would throw that code away).
 * @internal
 */
export const keepAlive = new TreeWriter(undefined);

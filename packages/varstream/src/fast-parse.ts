import { type Container, fresh, setKey } from './container.js';
import type { Limits } from './defaults.js';
import { APPEND, isKeyChar, LAST, RESET, type Segment } from './path.js';
import { PathWalk, WALK_FAILED } from './path-walk.js';
import { type Literal, typeBareValue } from './value.js';

const LF = 10;
const CR = 13;
const QUOTE = 34;
const DOT = 46;
const EQUALS = 61;
const CARET = 94;

/** Returned by `#value` when the statement is left to the general path. */
const NONE: unique symbol = Symbol('none');

/** Keys seen recently, by hash: a key read again is not sliced again (nor re-hashed by V8). */
const KEY_CACHE_BITS = 10;
const KEY_CACHE_MASK = (1 << KEY_CACHE_BITS) - 1;
/**
 * Only short keys: V8 copies a slice of up to 12 characters, but a longer one
 * points into the whole text, which the cache (it outlives the call) would
 * then keep alive.
 */
const MAX_CACHED_KEY = 12;
const keyCache: Array<string | undefined> = new Array(1 << KEY_CACHE_BITS).fill(undefined);

/**
 * The fast path of `parse()`: reads and applies, in one pass, the statements
 * of the common shape — a path of bare keys, quoted keys without escapes,
 * indices, `+`, `*`, `!`, maybe after `^` or `^N`, then `=` and a value: bare
 * (backslashes only to continue it on the next line) or quoted on one line
 * without escapes; LF or CRLF line breaks (LF only inside a value) —
 * walking the tree while it reads and reusing the containers along the
 * previous path.
 *
 * It applies a statement exactly as `Reader` + `Tree.applyQuiet` would, or
 * changes nothing and stops (`run()` returns) so that `parse()` hands that
 * statement to them: any other shape, any error, any limit reached. The
 * differential tests in test/fast-parse.test.ts hold the two paths to the
 * same results.
 */
export class FastParser {
  /** Where the next statement starts, and its line. */
  pos = 0;
  line = 1;
  root: unknown = undefined;
  nodesCreated = 0;

  readonly #text: string;
  // The limits, copied: hot code reading a per-call options object would be
  // deoptimized each time a garbage collection frees that object's hidden class.
  readonly #maxStatementLength: number;
  readonly #maxPathDepth: number;
  readonly #maxArrayIndex: number;
  readonly #maxNodes: number;
  readonly #maxStringLength: number;
  /** The previous statement's concrete path (or the general path's `^` context), `#prevLen` long. */
  #prev: Segment[] = [];
  #prevLen = 0;
  /** The path being read, `#n` long; swapped with `#prev` once applied. */
  #cur: Segment[] = [];
  #n = 0;
  /** How many segments of `#cur` come from `^`/`^N`. */
  #back = 0;
  /** End of the statement being read (its last line), and the line breaks inside it. */
  #eol = 0;
  #breaks = 0;
  /** The walk of the left side (shared with `Tree`); its chain follows `#prev`. */
  readonly #walker: PathWalk;
  readonly #chain: Container[];
  /**
   * The next CR and the next backslash (the text's length when none) at or
   * after `#crFrom` and `#bsFrom`: valid for searches from there up to them.
   */
  #crPos = -1;
  #crFrom = 0;
  #bsPos = -1;
  #bsFrom = 0;
  /** What `#resolve` found for `#mutate`: how many values the statement creates. */
  #created = 0;

  constructor(text: string, limits: Limits) {
    this.#text = text;
    this.#maxStatementLength = limits.maxStatementLength;
    this.#maxPathDepth = limits.maxPathDepth;
    this.#maxArrayIndex = limits.maxArrayIndex;
    this.#maxNodes = limits.maxNodes;
    this.#maxStringLength = limits.maxStringLength;
    this.#walker = new PathWalk(limits);
    this.#chain = this.#walker.chain;
  }

  get done(): boolean {
    return this.pos >= this.#text.length;
  }

  /** The `^` context to hand to the general path. */
  get previous(): Segment[] {
    return this.#prev.slice(0, this.#prevLen);
  }

  /** Takes over after the general path read (and applied) statements up to `pos`. */
  resume(pos: number, line: number, root: unknown, nodesCreated: number, previous: Segment[]) {
    this.pos = pos;
    this.line = line;
    this.root = root;
    this.nodesCreated = nodesCreated;
    // The general path's context may hold `+` and `!`: `^` reads them as `*` and 0.
    const prev = this.#prev;
    prev.length = 0;
    for (let i = 0; i < previous.length; i++) {
      const s = previous[i]!;
      prev.push(s === APPEND ? LAST : s === RESET ? 0 : s);
    }
    this.#prevLen = prev.length;
    this.#walker.reusable = 0;
  }

  /** Applies statements until one is left to the general path, or the end. */
  run(): void {
    const text = this.#text;
    const length = text.length;
    while (this.pos < length) {
      const c = text.charCodeAt(this.pos);
      if (c === LF || c === CR) {
        // A blank line: LF, CRLF or CR.
        this.pos += c === CR && text.charCodeAt(this.pos + 1) === LF ? 2 : 1;
        this.line++;
        continue;
      }
      const eq = this.#header();
      if (eq === -1) return;
      const value = this.#value(eq);
      if (value === NONE) return;
      if (typeof value === 'string' && value.length > this.#maxStringLength) return;
      if (!this.#resolve()) return;
      this.#mutate(value);
      const eol = this.#eol;
      this.line += this.#breaks;
      if (eol < length) {
        this.pos = eol + 1;
        this.line++;
      } else this.pos = length;
    }
  }

  // --- reading ---------------------------------------------------------------------

  /**
   * Reads the path at `pos` into `#cur` (`^` expanded) up to its `=`. Returns
   * the index of the `=`, or -1 for anything else.
   */
  #header(): number {
    const text = this.#text;
    const prev = this.#prev;
    const cur = this.#cur;
    const maxDepth = this.#maxPathDepth;
    let i = this.pos;
    let d = 0;
    this.#back = 0;
    if (text.charCodeAt(i) === CARET) {
      let j = i + 1;
      let back = 0;
      for (let c = text.charCodeAt(j); c >= 48 && c <= 57; c = text.charCodeAt(++j)) {
        back = back * 10 + (c - 48);
      }
      if (j - i - 1 > 9 || text.charCodeAt(j) !== DOT) return -1;
      const prevLen = this.#prevLen;
      if (j === i + 1) back = prevLen > 0 ? prevLen - 1 : 0;
      if (back > prevLen || back > maxDepth) return -1;
      for (; d < back; d++) cur[d] = prev[d]!;
      this.#back = back;
      i = j + 1;
    }
    for (;;) {
      if (d >= maxDepth) return -1;
      const c = text.charCodeAt(i);
      if (isKeyChar(c)) {
        const start = i;
        let hash = 0;
        let digits = true;
        for (let k = c; isKeyChar(k); k = text.charCodeAt(++i)) {
          hash = (Math.imul(hash, 31) + k) | 0;
          if (k < 48 || k > 57) digits = false;
        }
        if (digits) {
          const index = this.#index(start, i);
          if (index === -1) return -1;
          cur[d++] = index;
        } else cur[d++] = key(text, start, i, hash);
      } else if (c === QUOTE) {
        // A quoted key without escapes nor control characters: its text as is.
        let j = i + 1;
        for (let k = text.charCodeAt(j); k !== QUOTE; k = text.charCodeAt(++j)) {
          if (k < 32 || k === 92 /* \ */ || j >= text.length) return -1;
        }
        cur[d++] = text.slice(i + 1, j);
        i = j + 1;
      } else if (c === 43 /* + */ || c === 42 /* * */ || c === 33 /* ! */) {
        const next = text.charCodeAt(i + 1);
        if (next !== DOT && next !== EQUALS) return -1;
        cur[d++] = c === 43 ? APPEND : c === 42 ? LAST : RESET;
        i++;
      } else return -1;
      const next = text.charCodeAt(i);
      if (next === EQUALS) {
        this.#n = d;
        return i;
      }
      if (next !== DOT) return -1;
      i++;
    }
  }

  /** The array index written in `[start, end)` (digits), or -1 when out of the limits. */
  #index(start: number, end: number): number {
    if (end - start > 15) return -1;
    const text = this.#text;
    let index = 0;
    for (let i = start; i < end; i++) index = index * 10 + (text.charCodeAt(i) - 48);
    return index > this.#maxArrayIndex ? -1 : index;
  }

  /**
   * The value after the `=` at `eq`; sets `#eol` (where the statement's last
   * line break is) and `#breaks` (line breaks inside it).
   */
  #value(eq: number): Literal | typeof NONE {
    const text = this.#text;
    const start = this.pos;
    const valueStart = eq + 1;
    let eol = text.indexOf('\n', valueStart);
    if (eol === -1) eol = text.length;
    if (eol === valueStart) return NONE;
    const c = text.charCodeAt(valueStart);
    if (this.#nextBackslash(start) < eol) {
      return c === QUOTE ? NONE : this.#continued(valueStart, eol);
    }
    // The value ends before a CRLF; any other CR is a line break: left to the general path.
    const end = text.charCodeAt(eol - 1) === CR ? eol - 1 : eol;
    if (end === valueStart || this.#nextCR(start) < end) return NONE;
    if (end - start > this.#maxStatementLength) return NONE;
    this.#eol = eol;
    this.#breaks = 0;
    if ((c >= 48 && c <= 57) || c === 45 /* - */) {
      const n = integerAt(text, valueStart, end);
      if (!Number.isNaN(n)) return n;
    }
    if (c !== QUOTE) return typeBareValue(text.slice(valueStart, end));
    // Quoted: closed at the end of the line, no quote nor control character inside.
    const close = end - 1;
    if (close === valueStart || text.charCodeAt(close) !== QUOTE) return NONE;
    for (let i = valueStart + 1; i < close; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE || c < 32) return NONE;
    }
    return text.slice(valueStart + 1, close);
  }

  /**
   * A bare value whose first line, ending at `eol`, has a backslash: read when
   * every backslash ends a line (a continuation: the value goes on after a
   * line break); any other backslash is an escape, left to the general path.
   */
  #continued(valueStart: number, eol: number): Literal | typeof NONE {
    const text = this.#text;
    const start = this.pos;
    let end = eol;
    let breaks = 0;
    // The first backslash of each line: the last character of the line, or an escape.
    let bs = this.#nextBackslash(start);
    while (bs < end) {
      if (bs !== end - 1 || end === text.length) return NONE;
      const next = end + 1;
      end = text.indexOf('\n', next);
      if (end === -1) end = text.length;
      breaks++;
      bs = this.#nextBackslash(next);
    }
    if (this.#nextCR(start) < end || end - start > this.#maxStatementLength) return NONE;
    this.#eol = end;
    this.#breaks = breaks;
    return typeBareValue(text.slice(valueStart, end).replaceAll('\\\n', '\n'));
  }

  #nextCR(from: number): number {
    if (from < this.#crFrom || this.#crPos < from) {
      const cr = this.#text.indexOf('\r', from);
      this.#crPos = cr === -1 ? this.#text.length : cr;
      this.#crFrom = from;
    }
    return this.#crPos;
  }

  #nextBackslash(from: number): number {
    if (from < this.#bsFrom || this.#bsPos < from) {
      const bs = this.#text.indexOf('\\', from);
      this.#bsPos = bs === -1 ? this.#text.length : bs;
      this.#bsFrom = from;
    }
    return this.#bsPos;
  }

  // --- applying (as Tree.applyQuiet) ---------------------------------------------------

  /**
   * Walks `#cur` in the tree without changing it (`PathWalk`, shared with
   * `Tree.apply`): concrete indices written into `#cur`, containers into the
   * chain, and checks the node limit. False when the statement would fail
   * (the general path then reports it). The `^N` prefix was copied from the
   * previous path: the walk does not compare it again.
   */
  #resolve(): boolean {
    const n = this.#n;
    const path = this.#cur;
    const node = this.#walker.walk(this.root, path, n, path, this.#prev, this.#back);
    if (node === WALK_FAILED) return false;
    const createFrom = this.#walker.createFrom;
    const created = (createFrom === -1 ? 0 : n - createFrom) + (node === undefined ? 1 : 0);
    if (this.nodesCreated + created > this.#maxNodes) return false;
    this.#created = created;
    return true;
  }

  /** Changes the tree as resolved, then makes `#cur` the previous path. */
  #mutate(value: Literal): void {
    const n = this.#n;
    const path = this.#cur;
    const chain = this.#chain;
    const { createFrom, resetDepth } = this.#walker;
    this.nodesCreated += this.#created;
    if (resetDepth !== -1) (chain[resetDepth] as unknown[]).length = 0;
    if (createFrom !== -1) {
      let holder = createFrom === 0 ? undefined : chain[createFrom - 1];
      for (let d = createFrom; d < n; d++) {
        const created: Container = typeof path[d] === 'number' ? [] : {};
        if (d === 0) this.root = created;
        else set(holder!, path[d - 1]!, created);
        chain[d] = created;
        holder = created;
      }
    }
    set(chain[n - 1]!, path[n - 1]!, fresh(value));
    this.#cur = this.#prev;
    this.#prev = path;
    this.#prevLen = n;
    this.#walker.settled(n);
  }
}

/**
 * The integer written in `[start, end)` as `-?[0-9]{1,15}`, or NaN for
 * anything else: what `typeBareValue` gives for it, without slicing it.
 * Up to 15 digits, accumulating is exact.
 */
function integerAt(text: string, start: number, end: number): number {
  let i = start;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  if (end - i < 1 || end - i > 15) return Number.NaN;
  let n = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return Number.NaN;
    n = n * 10 + (c - 48);
  }
  return negative ? -n : n;
}

function set(target: Container, key: Segment, value: unknown): void {
  if (Array.isArray(target)) target[key as number] = value;
  else setKey(target, key as string, value);
}

/** `text.startsWith(key, start)`, cheaper for the short keys of the cache. */
function sameAt(text: string, start: number, key: string): boolean {
  for (let i = 0; i < key.length; i++) {
    if (text.charCodeAt(start + i) !== key.charCodeAt(i)) return false;
  }
  return true;
}

/** The key in `[start, end)` of `text`, from the cache when it was read recently. */
function key(text: string, start: number, end: number, hash: number): string {
  const length = end - start;
  if (length > MAX_CACHED_KEY) return text.slice(start, end);
  const slot = (hash ^ (hash >>> KEY_CACHE_BITS)) & KEY_CACHE_MASK;
  const cached = keyCache[slot];
  if (cached !== undefined && cached.length === length && sameAt(text, start, cached)) {
    return cached;
  }
  const read = text.slice(start, end);
  keyCache[slot] = read;
  return read;
}

/**
 * Lives as long as the module: it keeps the hidden class of `FastParser`, and
 * so the optimized code that depends on it, alive between two parses (else
 * every garbage collection in between would throw that code away).
 * @internal
 */
export const keepAlive = new FastParser('', {
  maxStatementLength: 0,
  maxPathDepth: 0,
  maxArrayIndex: 0,
  maxArrayGap: 0,
  maxNodes: 0,
  maxStringLength: 0,
});

/**
 * Where to split an input when testing a streaming reader.
 *
 * Small inputs (up to `all` units, 2 048 by default) are split at every
 * offset. Larger ones at a seeded sample that still covers every kind of
 * boundary a reader must carry across chunks: inside a UTF-8 sequence or a
 * surrogate pair, inside a quoted string, inside an escape, at CR, LF and
 * between the two of a CRLF, between statements, inside an operator, next to
 * a path dot, inside a comment; plus the first and last offsets and a uniform
 * random spread. `randomChunkings` cuts an input into many chunks at once
 * (random sizes, seeded).
 *
 * `VARSTREAM_DEEP_SPLITS=1` (the `test:deep` script) turns the sample off:
 * every offset of every input, as the exhaustive sweep CI does not run.
 */

/** True when the exhaustive sweep was asked for. */
export const DEEP_SPLITS = process.env.VARSTREAM_DEEP_SPLITS === '1';

/** The seed of every sample; `VARSTREAM_SPLIT_SEED` replays another one. */
export const SPLIT_SEED = Number(process.env.VARSTREAM_SPLIT_SEED ?? 20131207);

export type BoundaryKind =
  | 'edge'
  | 'multi-unit'
  | 'quoted'
  | 'quote-mark'
  | 'escape'
  | 'crlf'
  | 'line-end'
  | 'statement'
  | 'operator'
  | 'path-dot'
  | 'comment'
  | 'other';

export interface SplitOptions {
  /** Inputs of at most this many units are split at every offset (2 048). */
  readonly all?: number;
  /** Offsets drawn for each kind of boundary on a larger input (12). */
  readonly perKind?: number;
  /** Extra offsets drawn uniformly (40). */
  readonly spread?: number;
  /** Offsets kept at each end (16). */
  readonly edge?: number;
  readonly seed?: number;
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same sample. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function unitAt(input: Uint8Array | string, i: number): number {
  return typeof input === 'string' ? input.charCodeAt(i) : input[i]!;
}

/** Inside a multi-unit character: a UTF-8 continuation byte, or a low surrogate after a high one. */
function insideCharacter(input: Uint8Array | string, i: number): boolean {
  const unit = unitAt(input, i);
  if (typeof input !== 'string') return unit >= 0x80 && unit < 0xc0;
  const before = unitAt(input, i - 1);
  return unit >= 0xdc00 && unit < 0xe000 && before >= 0xd800 && before < 0xdc00;
}

const CR = 13;
const LF = 10;
const QUOTE = 34;
const BACKSLASH = 92;
const EQUALS = 61;
const DOT = 46;
const HASH = 35;
const OPERATOR_HEADS = new Set([...'+-*/&!^:?'].map((c) => c.charCodeAt(0)));

/**
 * Every inner offset (1..n-1) with the kinds of boundary it sits on, in one
 * pass. Quote state is tracked per line, which is what a reader sees.
 */
export function classifyOffsets(input: Uint8Array | string): Map<BoundaryKind, number[]> {
  const kinds = new Map<BoundaryKind, number[]>();
  const add = (kind: BoundaryKind, at: number) => {
    const list = kinds.get(kind);
    if (list) list.push(at);
    else kinds.set(kind, [at]);
  };
  let quoted = false;
  let escaped = false;
  let comment = false;
  let lineStart = true;
  for (let i = 1; i < input.length; i++) {
    const before = unitAt(input, i - 1);
    const unit = unitAt(input, i);
    // State after consuming `before`.
    if (lineStart && before === HASH) comment = true;
    if (before === LF || before === CR) {
      quoted = false;
      escaped = false;
      comment = false;
    } else if (escaped) escaped = false;
    else if (before === BACKSLASH) escaped = true;
    else if (before === QUOTE) quoted = !quoted;
    lineStart = before === LF || before === CR;

    let any = false;
    const mark = (kind: BoundaryKind) => {
      add(kind, i);
      any = true;
    };
    if (insideCharacter(input, i)) mark('multi-unit');
    if (quoted) mark('quoted');
    if (before === QUOTE || unit === QUOTE) mark('quote-mark');
    if (escaped) mark('escape');
    if (before === CR && unit === LF) mark('crlf');
    else if (unit === CR || unit === LF) mark('line-end');
    else if (before === LF || before === CR) mark('statement');
    if (unit === EQUALS && OPERATOR_HEADS.has(before)) mark('operator');
    else if (unit === EQUALS || before === EQUALS) mark('operator');
    if (unit === DOT || before === DOT) mark('path-dot');
    if (comment) mark('comment');
    if (!any) add('other', i);
  }
  return kinds;
}

function draw(from: readonly number[], count: number, random: () => number): number[] {
  if (from.length <= count) return [...from];
  const pool = [...from];
  for (let k = 0; k < count; k++) {
    const j = k + Math.floor(random() * (pool.length - k));
    [pool[k], pool[j]] = [pool[j]!, pool[k]!];
  }
  return pool.slice(0, count);
}

/** Inputs of at most this many units are split at every offset. */
export const EVERY_OFFSET_UP_TO = 2048;

/**
 * True when `input` is tested at every offset (small, or the deep sweep):
 * the costlier one-unit-at-a-time passes of the async stream tests use it too.
 */
export function everyOffset(input: Uint8Array | string, all = EVERY_OFFSET_UP_TO): boolean {
  return DEEP_SPLITS || input.length <= all;
}

/**
 * The offsets (0..n, sorted) to split `input` at once: all of them for a
 * small input or under `VARSTREAM_DEEP_SPLITS=1`, else the seeded sample.
 */
export function splitOffsets(input: Uint8Array | string, options: SplitOptions = {}): number[] {
  const n = input.length;
  const { all = EVERY_OFFSET_UP_TO, perKind = 12, spread = 40, edge = 16 } = options;
  const { seed = SPLIT_SEED } = options;
  if (everyOffset(input, all)) return Array.from({ length: n + 1 }, (_, i) => i);
  const random = seededRandom(seed ^ n);
  const chosen = new Set<number>();
  for (let i = 0; i <= edge; i++) {
    chosen.add(i);
    chosen.add(n - i);
  }
  for (const offsets of classifyOffsets(input).values()) {
    for (const at of draw(offsets, perKind, random)) chosen.add(at);
  }
  for (let k = 0; k < spread; k++) chosen.add(Math.floor(random() * (n + 1)));
  return [...chosen].sort((a, b) => a - b);
}

export interface ChunkingOptions {
  /** How many chunkings (8). */
  readonly count?: number;
  /** Largest chunk of the coarse half of the chunkings (512); the fine half uses 1..8. */
  readonly maxSize?: number;
  readonly seed?: number;
}

/**
 * `count` seeded ways to cut `input` into many chunks at once, each given as
 * its sorted cut offsets (for `cut`). Half use chunks of 1..8 units (every
 * boundary crossed often), half 1..maxSize.
 */
export function randomChunkings(
  input: Uint8Array | string,
  options: ChunkingOptions = {},
): number[][] {
  const { count = 8, maxSize = 512, seed = SPLIT_SEED } = options;
  const random = seededRandom(seed ^ (input.length * 31 + 7));
  const out: number[][] = [];
  for (let k = 0; k < count; k++) {
    const largest = k % 2 === 0 ? 8 : maxSize;
    const offsets: number[] = [];
    for (let at = 1 + Math.floor(random() * largest); at < input.length; ) {
      offsets.push(at);
      at += 1 + Math.floor(random() * largest);
    }
    out.push(offsets);
  }
  return out;
}

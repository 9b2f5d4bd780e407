/**
 * `legacyStringify`: the text varstream 0.3.2 writes for a value, byte for
 * byte, from an iterative walk (no recursion, a Map of visited containers):
 * linear in the output, whatever the depth or the number of objects.
 * `LegacyWriter` is 0.3.2's `VarStreamWriter` itself: one line at a time to
 * a callback, state kept from one `write` to the next.
 */
import { type Limits, resolveLimits } from '../defaults.js';
import { VarStreamError } from '../errors.js';
import { MSG_NOT_AN_OBJECT, MSG_ROOT_NOT_CONTAINER } from './messages.js';
import { ownGet } from './own.js';

export interface LegacyStringifyOptions {
  /** 0.3.2's `Writer.MORPH_CONTEXTS`: write `^.` for the previous leaf's parent path. */
  morphContexts?: boolean;
  /** 0.3.2's `Writer.MERGE_ARRAYS`: write `+` and `*` instead of array indexes. */
  mergeArrays?: boolean;
  /** Only `maxArrayIndex` applies: a longer array is refused with `LIMIT_INDEX`. */
  limits?: Partial<Limits>;
}

/** Keys 0.3.2 writes; the others are skipped silently. */
const KEY = /^[a-z0-9_]+$/i;
const LINE_BREAK = /\r?\n/g;

interface ArrayFrame {
  readonly array: readonly unknown[];
  readonly prefix: string;
  readonly length: number;
  index: number;
  /** True while one of its elements is being written (an entry of 0.3.2's imbricatedArrayEntries). */
  open: boolean;
}

interface ObjectFrame {
  readonly object: Record<string, unknown>;
  readonly prefix: string;
  readonly keys: readonly string[];
  index: number;
}

type Frame = ArrayFrame | ObjectFrame;

function leafText(value: unknown, context: string): string {
  if (value === undefined) return '';
  if (value === null) return 'null';
  let text: string;
  try {
    // biome-ignore lint/style/useTemplate: 0.3.2 writes `scope + ''` (default hint), not a template (string hint).
    text = (value as string) + '';
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new VarStreamError('UNSUPPORTED_VALUE', `Cannot write this value: ${reason}`, {
      path: context,
    });
  }
  return text.replace(LINE_BREAK, '\\\n');
}

export interface LegacyWriterOptions extends LegacyStringifyOptions {
  /** Receives each line (`path=value\n`, `path&=other.path\n`) as it is written. */
  emit: (line: string) => void;
}

/**
 * 0.3.2's `new VarStreamWriter(callback, flags)`. As there, the containers
 * already written and the last leaf's context are kept from one `write` to
 * the next (writing the same object twice gives `&=^0` the second time).
 */
export class LegacyWriter {
  private readonly emit: (line: string) => void;
  private readonly morph: boolean;
  private readonly merge: boolean;
  private readonly limits: Limits;
  private readonly visited = new Map<object, string>();
  private readonly stack: Frame[] = [];
  /** 0.3.2's imbricatedArrayEntries: one flag per array level of the current path. */
  private readonly entries: boolean[] = [];
  /** Offset of the `?` of each array level in the current context (mergeArrays only). */
  private readonly marks: number[] = [];
  /** The parent path of the last leaf written (morphContexts only: nothing else reads it). */
  private lastContext = '';
  private root: unknown;

  constructor(options: LegacyWriterOptions) {
    this.emit = options.emit;
    this.morph = options.morphContexts === true;
    this.merge = options.mergeArrays === true;
    this.limits = resolveLimits(options.limits);
  }

  /**
   * Writes `value` at `context` (0.3.2's second argument: a path prefix,
   * `''` for the root). Only a write at the root knows its root, so only
   * there does a reference back to it read `&=^0`.
   */
  write(value: unknown, context = ''): void {
    this.root = context === '' ? value : undefined;
    // Left over when a previous write threw half-way.
    this.stack.length = 0;
    this.entries.length = 0;
    this.marks.length = 0;
    this.visit(value, context);
    const { stack } = this;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      if ('array' in frame) {
        if (frame.open) {
          this.entries.pop();
          if (this.merge) this.marks.pop();
          frame.open = false;
        }
        if (frame.index >= frame.length) {
          stack.pop();
          continue;
        }
        const i = frame.index++;
        this.entries.push(true);
        if (this.merge) this.marks.push(frame.prefix.length);
        frame.open = true;
        this.visit(ownGet(frame.array, String(i)), frame.prefix + (this.merge ? '?' : String(i)));
      } else {
        if (frame.index >= frame.keys.length) {
          stack.pop();
          continue;
        }
        const key = frame.keys[frame.index++]!;
        this.visit(frame.object[key], frame.prefix + key);
      }
    }
  }

  private visit(value: unknown, context: string): void {
    if (!(value instanceof Object)) {
      this.leaf(value, context);
      return;
    }
    const seen = this.visited.get(value);
    if (seen !== undefined) {
      // References keep their raw context (with `?` in merge mode) and no `^`, as in 0.3.2.
      this.emit(`${context}&=${value === this.root ? '^0' : seen}\n`);
      return;
    }
    this.visited.set(value, context);
    const prefix = context === '' ? '' : `${context}.`;
    // biome-ignore lint/suspicious/useIsArray: 0.3.2 tests `instanceof Array`.
    if (value instanceof Array) {
      if (value.length > this.limits.maxArrayIndex) {
        throw new VarStreamError(
          'LIMIT_INDEX',
          `Array length ${value.length} is larger than maxArrayIndex (${this.limits.maxArrayIndex}).`,
          { path: context === '' ? '^0' : context },
        );
      }
      this.stack.push({ array: value, prefix, length: value.length, index: 0, open: false });
    } else if (!(value instanceof Function)) {
      const keys = Object.keys(value).filter((key) => KEY.test(key));
      this.stack.push({ object: value as Record<string, unknown>, prefix, keys, index: 0 });
    }
  }

  private leaf(value: unknown, raw: string): void {
    if (raw === '') throw new VarStreamError('ROOT_NOT_CONTAINER', MSG_ROOT_NOT_CONTAINER);
    let context = raw;
    if (this.merge && this.marks.length > 0) {
      // Each `?` becomes `+` for the first leaf of its array entry, `*` after.
      let out = '';
      let from = 0;
      for (let k = 0; k < this.marks.length; k++) {
        const mark = this.marks[k]!;
        out += `${raw.slice(from, mark)}${this.entries[k] ? '+' : '*'}`;
        this.entries[k] = false;
        from = mark + 1;
      }
      context = out + raw.slice(from);
    }
    let shown = context;
    if (this.morph) {
      if (this.lastContext !== '' && context.startsWith(`${this.lastContext}.`)) {
        shown = `^${context.slice(this.lastContext.length)}`;
      }
      const dot = context.lastIndexOf('.');
      this.lastContext = dot === -1 ? '' : context.slice(0, dot);
    }
    this.emit(`${shown}=${leafText(value, raw)}\n`);
  }
}

/**
 * 0.3.2's output for `value`. Without `morphContexts`/`mergeArrays`: exactly
 * `VarStream.stringify(value)` ("null" when nothing is written, U+FFFD for
 * lone surrogates, an error for a non-object). With either: exactly what
 * `new VarStream.Writer(cb, flags).write(value)` passes to `cb`, concatenated.
 */
export function legacyStringify(value: unknown, options?: LegacyStringifyOptions): string {
  const lines: string[] = [];
  const writer = new LegacyWriter({ ...options, emit: (line) => lines.push(line) });
  const viaWriter = options?.morphContexts === true || options?.mergeArrays === true;
  if (!viaWriter && typeof value !== 'object') {
    throw new VarStreamError('ROOT_NOT_CONTAINER', MSG_NOT_AN_OBJECT);
  }
  writer.write(value);
  const text = lines.join('');
  if (viaWriter) return text;
  return text === '' ? 'null' : text.toWellFormed();
}

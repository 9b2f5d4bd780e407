/**
 * `VarStream.Writer`: 0.3.2's `VarStreamWriter(callback, options)` on the
 * legacy writer. `write(scope)` calls `callback` once per line; what was
 * written is remembered from one `write` to the next, as in 0.3.2.
 */
import { LegacyWriter } from '../legacy/index.js';
import { callable } from './callable.js';
import { compatCall } from './compat-error.js';
import { flagsOf, MERGE_ARRAYS, MORPH_CONTEXTS } from './flags.js';

/** Named as in 0.3.2 (`util.inspect` shows `VarStreamWriter { ... }`). */
class VarStreamWriter {
  /** Write `^.x` for a leaf under the previous leaf's parent. */
  static readonly MORPH_CONTEXTS = MORPH_CONTEXTS;
  /** Write array indexes as `+` (first leaf of an element) and `*`. */
  static readonly MERGE_ARRAYS = MERGE_ARRAYS;
  /** Every writer flag. */
  static readonly OPTIONS = MORPH_CONTEXTS | MERGE_ARRAYS;

  /** The flags given. */
  readonly options: number;
  readonly #writer: LegacyWriter;

  constructor(
    readonly callback: (text: string) => void,
    options?: number,
  ) {
    this.options = flagsOf(options);
    this.#writer = new LegacyWriter({
      morphContexts: (this.options & MORPH_CONTEXTS) !== 0,
      mergeArrays: (this.options & MERGE_ARRAYS) !== 0,
      emit: (line) => this.callback(line),
    });
  }

  /**
   * Writes `scope` (an object or an array; with a `context`, a path prefix,
   * any value). A primitive at the root throws 0.3.2's
   * `The root scope must be an Object or an Array.`
   */
  write(scope: unknown, context?: string): void {
    compatCall(() => this.#writer.write(scope, context ? String(context) : ''));
  }
}

export { VarStreamWriter as WriterClass };
/** `VarStreamWriter`, also callable without `new`. */
export const Writer = callable(VarStreamWriter);
export type Writer = VarStreamWriter;

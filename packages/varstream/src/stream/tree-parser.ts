import { VarStreamError } from '../errors.js';
import { LegacyReader } from '../legacy/index.js';
import { ownGet } from '../legacy/own.js';
import { atStatementStart, type ParseOptions, throwsFirstError } from '../parse.js';
import { PathContext } from '../path-context.js';
import { Reader } from '../reader.js';
import { Tree } from '../tree.js';

/**
 * `parse()` fed in chunks: text or UTF-8 bytes split anywhere go in with
 * `write()`, `end()` returns the value. Statements apply as they complete,
 * so memory follows the tree, never the text. Same options, same errors and
 * same result as `parse()` on the concatenated text, `legacy: true` included
 * (through the streaming `LegacyReader`).
 */
export class TreeParser {
  readonly #strict: boolean;
  readonly #onError: ((error: VarStreamError) => void) | undefined;
  readonly #reader: Reader | undefined;
  readonly #tree: Tree | undefined;
  readonly #context: PathContext | undefined;
  readonly #legacy: LegacyReader | undefined;
  readonly #legacyRoot: object = {};
  /** Legacy text input: a high surrogate that ended the last chunk. */
  #carry = '';
  #state: 'open' | 'failed' | 'ended' = 'open';

  constructor(options: ParseOptions = {}) {
    this.#strict = options.legacy === true ? options.strict === true : throwsFirstError(options);
    this.#onError = options.onError;
    const limits = options.limits === undefined ? {} : { limits: options.limits };
    const onError = this.#onError === undefined ? {} : { onError: this.#onError };
    if (options.legacy === true) {
      this.#legacy = new LegacyReader(this.#legacyRoot, 'prop', {
        strict: this.#strict,
        ...limits,
        ...onError,
      });
      return;
    }
    this.#context = new PathContext();
    this.#reader = new Reader({
      strict: this.#strict,
      ...limits,
      ...onError,
      context: this.#context,
    });
    this.#tree = new Tree(undefined, { limits: this.#reader.limits });
  }

  /** Reads a chunk and applies every statement it completes. */
  write(chunk: string | Uint8Array): void {
    this.#run(() => {
      if (this.#legacy !== undefined) this.#legacyWrite(chunk);
      else {
        this.#reader!.write(chunk);
        this.#drain();
      }
    });
  }

  /** Ends the input and returns the value (`{}` for an empty text, as `parse()`). */
  end(chunk?: string | Uint8Array): unknown {
    if (chunk !== undefined) this.write(chunk);
    this.#run(() => {
      if (this.#legacy !== undefined) {
        if (this.#carry !== '') this.#legacy.write(this.#carry.toWellFormed());
        this.#carry = '';
        this.#legacy.end();
      } else {
        this.#reader!.end();
        this.#drain();
      }
    });
    this.#state = 'ended';
    return this.result;
  }

  /** The value so far (`{}` while nothing was applied). */
  get result(): unknown {
    if (this.#legacy !== undefined) return ownGet(this.#legacyRoot, 'prop') || {};
    const root = this.#tree!.root;
    return root === undefined ? {} : root;
  }

  #run(step: () => void): void {
    if (this.#state !== 'open') {
      throw new VarStreamError(
        'STREAM_STATE',
        this.#state === 'ended' ? 'write() after end()' : 'The parser stopped at an error',
      );
    }
    try {
      step();
    } catch (err) {
      this.#state = 'failed';
      throw err;
    }
  }

  #legacyWrite(chunk: string | Uint8Array): void {
    const legacy = this.#legacy!;
    if (typeof chunk !== 'string') {
      if (this.#carry !== '') legacy.write(this.#carry.toWellFormed());
      this.#carry = '';
      legacy.write(chunk);
      return;
    }
    // legacyParse reads `text.toWellFormed()`: keep a pair split across chunks whole.
    let text = this.#carry + chunk;
    this.#carry = '';
    const last = text.charCodeAt(text.length - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      this.#carry = text.slice(-1);
      text = text.slice(0, -1);
    }
    if (text.length > 0) legacy.write(text.toWellFormed());
  }

  #drain(): void {
    const reader = this.#reader!;
    const tree = this.#tree!;
    const context = this.#context!;
    for (let entry = reader.read(); entry !== null; entry = reader.read()) {
      if (entry.op === '#') continue;
      try {
        tree.apply(entry, context);
      } catch (caught) {
        const err = atStatementStart(caught);
        if (this.#strict) throw err;
        this.#onError?.(err as VarStreamError);
      }
    }
  }
}

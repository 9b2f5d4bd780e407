/**
 * `VarStream.Reader`: 0.3.2's `VarStreamReader(scope, prop, options)` on the
 * legacy reader. `read(chunk)` applies each statement when its line break
 * arrives; with `STRICT_MODE` the first error throws (0.3.2's class and
 * message, the position in properties).
 */
import { LegacyReader } from '../legacy/index.js';
import { callable } from './callable.js';
import { compatCall } from './compat-error.js';
import { flagsOf, STRICT_MODE } from './flags.js';

/** Named as in 0.3.2 (`util.inspect` shows `VarStreamReader { ... }`). */
class VarStreamReader {
  /** Throw on the first error instead of skipping the statement. */
  static readonly STRICT_MODE = STRICT_MODE;
  /** Every reader flag. */
  static readonly OPTIONS = STRICT_MODE;

  /** The flags given (0.3.2 keeps them as `options` too). */
  readonly options: number;
  readonly #reader: LegacyReader;

  /**
   * Reads into `scope[prop]` (`prop` is converted to a string, as 0.3.2's
   * property access does: a missing one is `'undefined'`).
   */
  constructor(scope: object, prop?: string, options?: number) {
    this.options = flagsOf(options);
    const strict = (this.options & STRICT_MODE) !== 0;
    this.#reader = compatCall(() => new LegacyReader(scope, String(prop), { strict }));
  }

  /**
   * Reads a piece of text (statements may span pieces). UTF-8 bytes are
   * decoded as one stream (0.3.2 ignored them). After a strict-mode error the
   * reader is closed: the next `read` throws `STREAM_STATE`.
   */
  read(chunk: string | Uint8Array): void {
    if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
      throw new TypeError('VarStream.Reader#read() takes a string or a Buffer.');
    }
    compatCall(() => this.#reader.write(chunk));
  }
}

export { VarStreamReader as ReaderClass };
/** `VarStreamReader`, also callable without `new`. */
export const Reader = callable(VarStreamReader);
export type Reader = VarStreamReader;

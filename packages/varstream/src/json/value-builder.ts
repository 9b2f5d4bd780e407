import { JsonError } from './errors.js';
import { type JsonHandler, JsonTokenizer, type JsonTokenizerOptions } from './tokenizer.js';

type Container = Record<string, unknown> | unknown[];

/**
 * Builds the value a `JsonTokenizer` reads, exactly as `JSON.parse` does
 * (the last of duplicate keys wins, `__proto__` is an ordinary own key).
 * Memory follows the value, never the text.
 */
export class JsonValueBuilder implements JsonHandler {
  readonly #stack: Container[] = [];
  readonly #keys: string[] = [];
  #root: unknown;
  #hasRoot = false;

  /** The value read (undefined until a whole value was read). */
  get result(): unknown {
    return this.#root;
  }

  #add(value: unknown): void {
    const stack = this.#stack;
    if (stack.length === 0) {
      this.#root = value;
      this.#hasRoot = true;
      return;
    }
    const top = stack[stack.length - 1]!;
    if (Array.isArray(top)) top.push(value);
    else {
      const key = this.#keys[stack.length - 1]!;
      if (key === '__proto__') {
        Object.defineProperty(top, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else top[key] = value;
    }
  }

  value(value: string | number | boolean | null): void {
    this.#add(value);
  }

  empty(isArray: boolean): void {
    this.#add(isArray ? [] : {});
  }

  open(isArray: boolean): void {
    const container: Container = isArray ? [] : {};
    this.#add(container);
    this.#stack.push(container);
  }

  key(key: string): void {
    this.#keys[this.#stack.length - 1] = key;
  }

  close(): void {
    this.#stack.pop();
  }

  /** True once a whole value was read. */
  get complete(): boolean {
    return this.#hasRoot && this.#stack.length === 0;
  }
}

/**
 * Parses JSON text or UTF-8 bytes arriving in chunks: `JSON.parse` for
 * streams, with `JsonError`s that give the line and column.
 */
export class JsonStreamParser {
  readonly #builder = new JsonValueBuilder();
  readonly #tokenizer: JsonTokenizer;

  constructor(options: JsonTokenizerOptions = {}) {
    this.#tokenizer = new JsonTokenizer(this.#builder, options);
  }

  write(chunk: string | Uint8Array): void {
    this.#tokenizer.write(chunk);
  }

  /** Ends the input and returns the value. */
  end(chunk?: string | Uint8Array): unknown {
    this.#tokenizer.end(chunk);
    if (!this.#builder.complete) throw new JsonError('JSON_UNEXPECTED_END', 'No JSON value');
    return this.#builder.result;
  }
}

import { type Limits, resolveLimits } from '../defaults.js';
import { formatSegment } from '../path.js';
import { formatNumber, formatString } from '../value.js';
import { JsonError } from './errors.js';
import { type JsonHandler, JsonTokenizer } from './tokenizer.js';

export interface JsonToVarStreamOptions {
  /** Use `^` and `^N` back references when they make a line shorter. Default true. */
  compress?: boolean;
  /** `'append'` (default): `!`, `+`, `*` array segments; `'index'`: explicit indices. */
  arrays?: 'append' | 'index';
  /**
   * The limits of the reader that will read the output (default: `defaults`).
   * The output is refused (`JSON_LIMIT`) where such a reader would refuse it:
   * paths deeper than `maxPathDepth`, statements longer than
   * `maxStatementLength`, and (with `arrays: 'index'`) indices above
   * `maxArrayIndex`. `maxNodes` and `maxArrayGap` concern trees, not text:
   * they are not checked here.
   */
  limits?: Partial<Limits>;
  /**
   * Keys remembered per open object to detect duplicate keys (JSON allows
   * them; `JSON.parse` keeps the last). Past this many keys in one object, a
   * non-empty object or array value is always preceded by a line that resets
   * it (`key={}`): still exact, a little longer. Default 100 000.
   */
  maxTrackedKeys?: number;
}

interface Frame {
  isArray: boolean;
  /** Arrays: elements seen. */
  count: number;
  /** Objects: keys seen, until `maxTrackedKeys`. */
  keys: Set<string> | undefined;
  /** Objects: more keys than `maxTrackedKeys`. */
  overflow: boolean;
}

/**
 * Writes VarStream lines as JSON tokens arrive, with the rules of
 * `TreeWriter`: for JSON without duplicate keys whose object keys come in
 * `Object.keys` order (integer-like keys first, ascending, as
 * `JSON.stringify` writes them) the text is byte for byte
 * `stringify(JSON.parse(json), options)`; for any JSON it parses back to a
 * value equal to `JSON.parse(json)`.
 */
class VarStreamEmitter implements JsonHandler {
  out = '';
  readonly #compress: boolean;
  readonly #append: boolean;
  readonly #limits: Limits;
  readonly #maxKeys: number;
  readonly #frames: Frame[] = [];
  /** Text of each segment of the current path, and cumulative lengths (as in TreeWriter). */
  readonly #texts: string[] = [];
  readonly #cum: number[] = [0];
  /** Segment d is an array element written with `!`/`+` until its first line. */
  readonly #fresh: boolean[] = [];
  #prevLen = 0;
  #shared = 0;
  #emitted = 0;
  /** The key just read, formatted, and whether it was seen before in its object. */
  #keyText = '';
  #duplicate = false;

  constructor(options: JsonToVarStreamOptions) {
    this.#compress = options.compress !== false;
    this.#append = options.arrays !== 'index';
    this.#limits = resolveLimits(options.limits);
    this.#maxKeys = options.maxTrackedKeys ?? 100_000;
  }

  value(value: string | number | boolean | null): void {
    let text: string;
    if (typeof value === 'string') text = formatString(value);
    else if (typeof value === 'number') text = formatNumber(value);
    else text = value === null ? 'null' : value ? 'true' : 'false';
    const frames = this.#frames;
    if (frames.length === 0) this.#rootLine(`^0=${text}`);
    else this.#line(frames.length - 1, this.#child(), `=${text}`);
  }

  empty(isArray: boolean): void {
    const frames = this.#frames;
    if (frames.length === 0) {
      // An empty root object is the empty text; an empty root array needs a line.
      if (isArray) this.#rootLine('^0=[]');
      return;
    }
    this.#line(frames.length - 1, this.#child(), isArray ? '=[]' : '={}');
  }

  open(isArray: boolean): void {
    const frames = this.#frames;
    const frame: Frame = { isArray, count: 0, keys: undefined, overflow: false };
    if (frames.length > 0) {
      const parent = frames[frames.length - 1]!;
      const d = frames.length - 1;
      const text = this.#child();
      // A repeated key: reset the value first, so that its members do not merge
      // into the earlier one (`!` already resets an array in append mode).
      if (!parent.isArray && this.#duplicate && (!isArray || !this.#append)) {
        this.#line(d, text, isArray ? '=[]' : '={}');
      }
      this.#texts[d] = text;
      this.#fresh[d] = parent.isArray && this.#append;
      this.#cum[d + 1] = this.#cum[d]! + text.length + 1;
    }
    frames.push(frame);
    const max = this.#limits.maxPathDepth;
    if (frames.length > max) {
      throw new JsonError('JSON_LIMIT', `Nesting deeper than ${max} (maxPathDepth)`);
    }
  }

  key(key: string): void {
    const frame = this.#frames[this.#frames.length - 1]!;
    let duplicate = true;
    if (!frame.overflow) {
      const keys = (frame.keys ??= new Set());
      if (!keys.has(key)) {
        if (keys.size < this.#maxKeys) {
          keys.add(key);
          duplicate = false;
        } else {
          frame.overflow = true;
          frame.keys = undefined;
        }
      }
    }
    this.#duplicate = duplicate;
    this.#keyText = formatSegment(key);
  }

  close(): void {
    const frames = this.#frames;
    frames.pop();
    const depth = Math.max(0, frames.length - 1);
    if (this.#shared > depth) this.#shared = depth;
    if (this.#emitted > frames.length) this.#emitted = frames.length;
  }

  /** The segment text of the next member of the innermost container. */
  #child(): string {
    const frame = this.#frames[this.#frames.length - 1]!;
    if (!frame.isArray) return this.#keyText;
    const index = frame.count++;
    if (this.#append) return index === 0 ? '!' : '+';
    if (index > this.#limits.maxArrayIndex) {
      throw new JsonError(
        'JSON_LIMIT',
        `Array index ${index} above ${this.#limits.maxArrayIndex} (maxArrayIndex)`,
      );
    }
    return String(index);
  }

  #rootLine(line: string): void {
    this.#checkLength(line.length);
    this.out += `${line}\n`;
  }

  #checkLength(length: number): void {
    const max = this.#limits.maxStatementLength;
    if (length > max) {
      throw new JsonError(
        'JSON_LIMIT',
        `Statement longer than ${max} characters (maxStatementLength)`,
      );
    }
  }

  /** One line whose path is the current one (`depth` segments) plus `leaf` (TreeWriter's #line). */
  #line(depth: number, leaf: string, rest: string): void {
    const cum = this.#cum;
    const texts = this.#texts;
    const k = this.#shared;
    const absolute = cum[depth]! + leaf.length;
    let prefix = '';
    if (this.#compress && k > 0 && this.#prevLen > 0) {
      prefix = k === this.#prevLen - 1 ? '^' : `^${k}`;
      if (prefix.length + 1 + (absolute - cum[k]!) >= absolute) prefix = '';
    }
    let line: string;
    if (prefix !== '') {
      line = prefix;
      for (let d = k; d < depth; d++) line += `.${texts[d]}`;
      line += `.${leaf}`;
    } else {
      line = '';
      for (let d = 0; d < depth; d++) line += `${texts[d]}.`;
      line += leaf;
    }
    this.#checkLength(line.length + rest.length);
    this.out += `${line}${rest}\n`;
    // The elements this line created are now the last of their arrays: `*`.
    for (let d = Math.max(0, this.#emitted - 1); d < depth; d++) if (this.#fresh[d]) texts[d] = '*';
    this.#emitted = this.#frames.length;
    this.#prevLen = depth + 1;
    this.#shared = depth;
  }
}

/**
 * Converts JSON to VarStream as it arrives: feed JSON text or UTF-8 bytes
 * split anywhere with `write()` (each call returns the VarStream text it
 * completed), then `end()`. Holds neither the JSON text nor the value: only
 * the current path, the token being read and the keys of the open objects.
 * Errors are `JsonError`s with line and column.
 */
export class JsonToVarStream {
  readonly #emitter: VarStreamEmitter;
  readonly #tokenizer: JsonTokenizer;

  constructor(options: JsonToVarStreamOptions = {}) {
    this.#emitter = new VarStreamEmitter(options);
    this.#tokenizer = new JsonTokenizer(this.#emitter, {
      maxTokenLength: resolveLimits(options.limits).maxStatementLength,
    });
  }

  /** Reads a chunk; returns the VarStream text completed so far (possibly empty). */
  write(chunk: string | Uint8Array): string {
    this.#tokenizer.write(chunk);
    return this.#take();
  }

  /** Ends the input (throws if it is not exactly one JSON value); returns the last text. */
  end(chunk?: string | Uint8Array): string {
    this.#tokenizer.end(chunk);
    return this.#take();
  }

  #take(): string {
    const out = this.#emitter.out;
    this.#emitter.out = '';
    return out;
  }
}

/** Converts a whole JSON text to VarStream (see `JsonToVarStream`). */
export function jsonToVarStream(json: string, options?: JsonToVarStreamOptions): string {
  return new JsonToVarStream(options).end(json);
}

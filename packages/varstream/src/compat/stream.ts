/**
 * `VarStream(root, prop, options)`: 0.3.2's duplex stream. The writable side
 * reads VarStream text into `root[prop]` (statements apply as their line
 * break arrives); the readable side writes `root[prop]` out, as it is when
 * the stream is first read, in UTF-8 `Buffer`s of whole lines.
 */
import { Duplex } from 'node:stream';
import { VarStreamError } from '../errors.js';
import { LegacyReader, LegacyWriter } from '../legacy/index.js';
import { MSG_NO_ROOT_OBJECT, MSG_NO_ROOT_PROPERTY } from '../legacy/messages.js';
import { isContainer, ownGet } from '../legacy/own.js';
import { toCompatError, VarStreamCompatError } from './compat-error.js';
import { flagsOf, MERGE_ARRAYS, MORPH_CONTEXTS, STRICT_MODE } from './flags.js';
import { compatParse } from './parse.js';
import { Reader } from './reader.js';
import { compatStringify } from './stringify.js';
import { Writer } from './writer.js';

/** Lines are pushed in `Buffer`s of about this many characters (a longer line alone). */
const CHUNK_CHARACTERS = 64 * 1024;

function asError(error: unknown): Error {
  const compat = toCompatError(error);
  return compat instanceof Error ? compat : new Error(String(compat));
}

/** `lines` joined into pieces of about `CHUNK_CHARACTERS`, never splitting a line. */
function batches(lines: readonly string[]): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size > 0 && size + line.length > CHUNK_CHARACTERS) {
      out.push(batch.join(''));
      batch = [];
      size = 0;
    }
    batch.push(line);
    size += line.length;
  }
  if (size > 0) out.push(batch.join(''));
  return out;
}

/** Named as in 0.3.2; `VarStream` (index.ts) is this class, also callable without `new`. */
export class VarStream extends Duplex {
  /** 0.3.2's helpers and constructors, as statics of `VarStream`. */
  static readonly parse = compatParse;
  static readonly stringify = compatStringify;
  static readonly Reader = Reader;
  static readonly VarStreamReader = Reader;
  static readonly Writer = Writer;
  static readonly VarStreamWriter = Writer;

  private readonly reader: LegacyReader;
  private readonly writerFlags: number;
  private started = false;

  /**
   * `options`: `Reader.STRICT_MODE` (errors destroy the stream, an `'error'`
   * event with 0.3.2's message), `Writer.MORPH_CONTEXTS`, `Writer.MERGE_ARRAYS`.
   */
  constructor(
    private readonly root: object,
    private readonly prop: string,
    options?: number,
  ) {
    if (!isContainer(root)) {
      throw new VarStreamCompatError(new VarStreamError('ROOT_NOT_CONTAINER', MSG_NO_ROOT_OBJECT));
    }
    if (typeof prop !== 'string' || prop === '') {
      throw new VarStreamCompatError(new VarStreamError('EMPTY_PATH', MSG_NO_ROOT_PROPERTY));
    }
    super({ decodeStrings: false });
    const flags = flagsOf(options);
    this.reader = new LegacyReader(root, prop, { strict: (flags & STRICT_MODE) !== 0 });
    this.writerFlags = flags & (MORPH_CONTEXTS | MERGE_ARRAYS);
  }

  override _write(
    chunk: unknown,
    encoding: BufferEncoding | 'buffer',
    callback: (error?: Error | null) => void,
  ): void {
    try {
      if (typeof chunk === 'string') {
        // 0.3.2 reads a string through its bytes: a lone surrogate is U+FFFD.
        if (encoding === 'utf8' || encoding === 'utf-8') this.reader.write(chunk.toWellFormed());
        else this.reader.write(Buffer.from(chunk, encoding === 'buffer' ? 'utf8' : encoding));
      } else if (chunk instanceof Uint8Array) {
        this.reader.write(chunk);
      } else {
        throw new TypeError('A VarStream takes strings and Buffers.');
      }
    } catch (error) {
      callback(asError(error));
      return;
    }
    callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.reader.end();
    } catch (error) {
      callback(asError(error));
      return;
    }
    callback();
  }

  /** The first read writes the whole tree (as 0.3.2 does): a synchronous `read()` gets it all. */
  override _read(): void {
    if (this.started) return;
    this.started = true;
    const lines: string[] = [];
    try {
      new LegacyWriter({
        morphContexts: (this.writerFlags & MORPH_CONTEXTS) !== 0,
        mergeArrays: (this.writerFlags & MERGE_ARRAYS) !== 0,
        emit: (line) => lines.push(line),
      }).write(ownGet(this.root, this.prop));
    } catch (error) {
      this.destroy(asError(error));
      return;
    }
    for (const batch of batches(lines)) this.push(Buffer.from(batch, 'utf8'));
    this.push(null);
  }
}

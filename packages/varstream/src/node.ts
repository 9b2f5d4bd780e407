/**
 * Node.js stream adapters: `@varstream/varstream/node`. Everything else of
 * the package is browser-safe; this entry needs `node:stream`.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { JsonToVarStream, type JsonToVarStreamOptions } from './json/to-varstream.js';
import type { ParseOptions } from './parse.js';
import { Reader, type ReaderOptions } from './reader.js';
import type { Entry } from './statement.js';
import { toChunk } from './stream/chunk.js';
import { TreeParser } from './stream/tree-parser.js';
import { TreeWriter, type WriterOptions } from './tree-writer.js';

export type { Entry, JsonToVarStreamOptions, ParseOptions, ReaderOptions, WriterOptions };

/**
 * A `Transform` reading VarStream text or UTF-8 bytes (split anywhere) and
 * pushing each statement (`Entry` objects: the readable side is in object
 * mode) as soon as its last line is complete. Backpressure is respected: the
 * next chunk is taken only once the statements of the previous one were
 * read. Strict mode: the stream is destroyed with the first `VarStreamError`;
 * tolerant mode (default): `onError` receives each error.
 */
export function createReaderTransform(options: ReaderOptions = {}): Transform {
  const reader = new Reader(options);
  const drain = (stream: Transform): void => {
    for (let entry = reader.read(); entry !== null; entry = reader.read()) stream.push(entry);
  };
  return new Transform({
    readableObjectMode: true,
    decodeStrings: false,
    transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        reader.write(toChunk(chunk));
        drain(this);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        reader.end();
        drain(this);
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}

/**
 * A value as a `Readable` of VarStream text (strings, UTF-8 when piped to a
 * byte sink). Each `_read()` pulls one chunk (about `chunkSize`, 64 KiB by
 * default) from `TreeWriter.read()`, so a slow consumer holds memory to about
 * one chunk. Writer errors (`UNSUPPORTED_VALUE`) destroy the stream.
 */
export function createTreeReadableNode(value: unknown, options: WriterOptions = {}): Readable {
  let writer: TreeWriter | undefined = new TreeWriter(value, options);
  return new Readable({
    encoding: 'utf8',
    read() {
      try {
        const chunk = writer?.read() ?? null;
        if (chunk === null) writer = undefined;
        this.push(chunk);
      } catch (err) {
        writer = undefined;
        this.destroy(err as Error);
      }
    },
    destroy(err, callback) {
      writer = undefined;
      callback(err);
    },
  });
}

/**
 * Builds the value of a Node readable of VarStream text or bytes (a file, a
 * socket, `process.stdin`), applying statements as they complete: memory
 * follows the tree, never the text. Same options, errors and result as
 * `parse()` on the whole text, `legacy: true` included. On an error (the
 * first bad statement unless tolerant, or the stream's own) the promise
 * rejects and the readable is destroyed.
 */
export async function parseNodeStream(
  readable: NodeJS.ReadableStream | AsyncIterable<string | Uint8Array>,
  options: ParseOptions = {},
): Promise<unknown> {
  const parser = new TreeParser(options);
  for await (const chunk of readable as AsyncIterable<unknown>) parser.write(toChunk(chunk));
  return parser.end();
}

/**
 * A `Transform` converting JSON text or UTF-8 bytes (split anywhere) to
 * VarStream text as the values are read (`JsonToVarStream`): constant memory
 * whatever the size of the JSON. Invalid JSON destroys the stream with a
 * `JsonError` (line and column).
 */
export function createJsonToVarStreamTransform(options: JsonToVarStreamOptions = {}): Transform {
  const converter = new JsonToVarStream(options);
  return new Transform({
    decodeStrings: false,
    encoding: 'utf8',
    transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback) {
      try {
        const text = converter.write(toChunk(chunk));
        callback(null, text.length > 0 ? text : undefined);
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        const text = converter.end();
        callback(null, text.length > 0 ? text : undefined);
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}

import type { ParseOptions } from '../parse.js';
import { toChunk } from './chunk.js';
import { TreeParser } from './tree-parser.js';

export type ParseSource =
  | ReadableStream<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>;

function isReadableStream(source: unknown): source is ReadableStream<unknown> {
  return (
    typeof source === 'object' &&
    source !== null &&
    typeof (source as ReadableStream).getReader === 'function'
  );
}

/**
 * Builds the value of a VarStream stream (text or UTF-8 bytes, split
 * anywhere), applying each statement as it completes: memory follows the
 * tree, never the text. Same options, errors and result as `parse()` on the
 * concatenated text, `legacy: true` included. Unless tolerant (as `parse()`),
 * the promise rejects with the first error and the source is cancelled.
 */
export async function parseStream(
  source: ParseSource,
  options: ParseOptions = {},
): Promise<unknown> {
  const parser = new TreeParser(options);
  if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.write(toChunk(value));
      }
    } catch (err) {
      await reader.cancel(err).catch(() => {});
      throw err;
    } finally {
      reader.releaseLock();
    }
  } else if (Symbol.asyncIterator in source) {
    for await (const chunk of source) parser.write(toChunk(chunk));
  } else {
    for (const chunk of source) parser.write(toChunk(chunk));
  }
  return parser.end();
}

import { Reader, type ReaderOptions } from '../reader.js';
import type { Entry } from '../statement.js';
import { toChunk } from './chunk.js';

/**
 * VarStream text or UTF-8 bytes in (split anywhere), statements out, each as
 * soon as its last line is complete (`^` expanded, nothing applied). Strict
 * mode: the stream errors with the first `VarStreamError`. Tolerant mode
 * (default): `onError` receives each error and the bad statement is skipped.
 * With `{ comments: true }`, `#` lines come out as `Comment` entries.
 */
export function createStatementStream(
  options: ReaderOptions = {},
): TransformStream<string | Uint8Array, Entry> {
  const reader = new Reader(options);
  const drain = (controller: TransformStreamDefaultController<Entry>): void => {
    for (let entry = reader.read(); entry !== null; entry = reader.read()) {
      controller.enqueue(entry);
    }
  };
  return new TransformStream<string | Uint8Array, Entry>({
    transform(chunk, controller) {
      reader.write(toChunk(chunk));
      drain(controller);
    },
    flush(controller) {
      reader.end();
      drain(controller);
    },
  });
}

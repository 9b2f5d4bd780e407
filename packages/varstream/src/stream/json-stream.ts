import { JsonToVarStream, type JsonToVarStreamOptions } from '../json/to-varstream.js';
import { toChunk } from './chunk.js';

/**
 * JSON text or UTF-8 bytes in (split anywhere), VarStream text out as the
 * values are read (`JsonToVarStream`): neither the JSON text nor the value is
 * ever held. Invalid JSON errors the stream with a `JsonError`.
 */
export function createJsonToVarStream(
  options: JsonToVarStreamOptions = {},
): TransformStream<string | Uint8Array, string> {
  const converter = new JsonToVarStream(options);
  return new TransformStream<string | Uint8Array, string>({
    transform(chunk, controller) {
      const text = converter.write(toChunk(chunk));
      if (text.length > 0) controller.enqueue(text);
    },
    flush(controller) {
      const text = converter.end();
      if (text.length > 0) controller.enqueue(text);
    },
  });
}

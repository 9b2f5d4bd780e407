import { LegacyReader, legacyParse } from '../legacy/index.js';
import { ownGet } from '../legacy/own.js';
import { compatCall } from './compat-error.js';

/** What 0.3.2's `Buffer(content)` takes and this `parse` reads. */
export type ParseContent = string | ArrayBufferView | ArrayBuffer;

function bytesOf(content: ArrayBufferView | ArrayBuffer): Uint8Array {
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  return new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
}

/**
 * 0.3.2's `VarStream.parse(content)`: the value of a text, or of its UTF-8
 * bytes (`fs.readFileSync(file)`), read in tolerant mode; `{}` when the
 * text sets nothing (or only a falsy root).
 */
export function compatParse(content: ParseContent): unknown {
  if (typeof content === 'string') return compatCall(() => legacyParse(content));
  if (!(content instanceof ArrayBuffer) && !ArrayBuffer.isView(content)) {
    throw new TypeError('VarStream.parse() takes a string or a Buffer.');
  }
  const root = {};
  compatCall(() => {
    const reader = new LegacyReader(root, 'prop');
    reader.write(bytesOf(content));
    reader.end();
  });
  return ownGet(root, 'prop') || {};
}

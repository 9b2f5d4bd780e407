/** Text or bytes, as the readers take them. Other binary views are copied to a Uint8Array view. */
export function toChunk(value: unknown): string | Uint8Array {
  if (typeof value === 'string' || value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) {
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  }
  throw new TypeError(
    `Expected a string or a Uint8Array chunk, got ${value === null ? 'null' : typeof value}`,
  );
}

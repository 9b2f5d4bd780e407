import { ownGet } from './own.js';
import { LegacyReader, type LegacyReaderOptions } from './reader.js';

export type LegacyParseOptions = LegacyReaderOptions;

/**
 * 0.3.2's `VarStream.parse(text)`: reads `text` (as its UTF-8 bytes, so a
 * lone surrogate reads as U+FFFD) into a fresh root and returns
 * `root.prop || {}`. With `strict`, the first error throws.
 */
export function legacyParse(text: string, options?: LegacyParseOptions): unknown {
  const root = {};
  const reader = new LegacyReader(root, 'prop', options);
  reader.write(text.toWellFormed());
  reader.end();
  return ownGet(root, 'prop') || {};
}

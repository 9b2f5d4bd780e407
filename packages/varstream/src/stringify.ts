import { legacyStringify } from './legacy/index.js';
import { TreeWriter, type WriterOptions } from './tree-writer.js';

export interface StringifyOptions extends WriterOptions {
  /** Write exactly as varstream 0.3.2 does (see docs/LEGACY.md). */
  legacy?: boolean;
  /** Legacy only: 0.3.2's MORPH_CONTEXTS (`^` for descending paths). */
  morphContexts?: boolean;
  /** Legacy only: 0.3.2's MERGE_ARRAYS (`+`/`*` array segments). */
  mergeArrays?: boolean;
}

/**
 * Writes a value as VarStream text, like `JSON.stringify`. Lossless: `parse`
 * gives back an equal value (shared and circular references included).
 */
export function stringify(value: unknown, options: StringifyOptions = {}): string {
  if (options.legacy === true) {
    return legacyStringify(value, {
      ...(options.morphContexts === undefined ? {} : { morphContexts: options.morphContexts }),
      ...(options.mergeArrays === undefined ? {} : { mergeArrays: options.mergeArrays }),
    });
  }
  return new TreeWriter(value, options).toString();
}

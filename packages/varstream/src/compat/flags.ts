/**
 * 0.3.2's option flags: a number whose bits are tested with `&`, so any value
 * is accepted the way `&` converts it (`true` is 1, that is STRICT_MODE for a
 * reader and nothing for a writer; `undefined` is 0).
 */
export function flagsOf(options: unknown): number {
  return Number(options) | 0;
}

/** The bits of `Reader.OPTIONS`. */
export const STRICT_MODE = 1;
/** The bits of `Writer.OPTIONS`. */
export const MORPH_CONTEXTS = 2;
export const MERGE_ARRAYS = 4;

/**
 * Every limit of the codec, with its default. Each can be overridden per call
 * through the `limits` option (`{ limits: { maxPathDepth: 64 } }`).
 * A limit violation is a `VarStreamError` whose code starts with `LIMIT_`.
 */
export interface Limits {
  /**
   * Longest statement, in UTF-16 code units, counting every line of a
   * multi-line value. Default 16 MiB (16 777 216).
   */
  maxStatementLength: number;
  /** Most segments in one path, after `^` expansion. Default 1 000. */
  maxPathDepth: number;
  /** Largest array index a statement may address. Default 10 000 000. */
  maxArrayIndex: number;
  /**
   * Largest distance past the end of an array a statement may write at
   * (`a.50=x` on an array of length 10 has a gap of 40). Default 100 000.
   */
  maxArrayGap: number;
  /** Most values (leaves and containers) one parse may create. Default 10 000 000. */
  maxNodes: number;
  /**
   * Longest string a statement may leave in the tree, in UTF-16 code units,
   * however it is built (`s+=x` repeated included). Default 16 MiB
   * (16 777 216), as long as a statement.
   */
  maxStringLength: number;
}

export const defaults: Readonly<Limits> = Object.freeze({
  maxStatementLength: 16 * 1024 * 1024,
  maxPathDepth: 1_000,
  maxArrayIndex: 10_000_000,
  maxArrayGap: 100_000,
  maxNodes: 10_000_000,
  maxStringLength: 16 * 1024 * 1024,
});

export function resolveLimits(overrides: Partial<Limits> | undefined): Limits {
  return overrides === undefined ? { ...defaults } : { ...defaults, ...overrides };
}

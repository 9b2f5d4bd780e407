import type { Limits } from '../defaults.js';
import type { VarStreamErrorCode, VarStreamErrorDetails } from '../errors.js';

/** What the pieces of the legacy reader share: limits and error reporting. */
export interface LegacyContext {
  readonly limits: Limits;
  /**
   * Reports a problem: throws it in strict mode; in tolerant mode hands it to
   * `onError` and returns, so that the caller carries on as 0.3.2 does.
   */
  fail(code: VarStreamErrorCode, reason: string, details?: VarStreamErrorDetails): void;
  /** Counts one created value; false when that would exceed `maxNodes` (nothing counted then). */
  countNode(): boolean;
}

export function tooManyNodes(limits: Limits): string {
  return `More than maxNodes (${limits.maxNodes}) values created.`;
}

import { VarStreamError, type VarStreamErrorCode } from '../errors.js';

export type Guarded<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: VarStreamErrorCode; readonly reason: string };

/**
 * Runs `fn`, turning a native exception (0.3.2 would crash with it: a frozen
 * object, a BigInt mixed with a number, a throwing getter of the caller's own
 * objects) or a legacy `VarStreamError` into a value the caller reports.
 */
export function guarded<T>(fn: () => T): Guarded<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof VarStreamError)
      return { ok: false, code: error.code, reason: error.reason };
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, code: 'TYPE_MISMATCH', reason };
  }
}

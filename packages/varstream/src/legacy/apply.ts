/**
 * Applying one statement to its resolved left value, with 0.3.2's operator
 * semantics: `=` with an empty value deletes unless the current value is a
 * string; `+=` on an absent value gives 'undefinedx' or NaN; a `null` right
 * value counts as NaN in arithmetic; `&=` stores the value found at the
 * right path (read after the left path was created). Only own properties are
 * read and written; the `length` of an array is validated instead of
 * crashing; native exceptions become errors.
 */
import type { VarStreamErrorDetails } from '../errors.js';
import { type LegacyContext, tooManyNodes } from './context.js';
import { guarded } from './guard.js';
import { isArrayLength, ownDelete, ownGet, ownSet } from './own.js';
import { arithmetic, legacyPrimitive, plus } from './primitive.js';
import { NOT_AN_OBJECT, type Scope } from './resolve.js';

/** A resolved place whose container exists. */
export interface Place {
  readonly root: object;
  readonly prop: string;
}

export type Operator = '=' | '+' | '-' | '*' | '/' | '%' | '&';

const MAX_ARRAY_LENGTH = 4294967295;

export class LegacyApplier {
  constructor(private readonly ctx: LegacyContext) {}

  /**
   * Applies `target op= value` (`ref` is the resolved right path of `&=`,
   * null when it failed). Returns the place written, or null when the
   * statement was refused (and reported).
   */
  apply(
    op: Operator,
    target: Scope,
    value: string | number | boolean | null,
    ref: Scope | null,
    at: VarStreamErrorDetails,
  ): Place | null {
    const { root } = target;
    const refRoot = op === '&' && ref !== null ? ref.root : null;
    if (root === undefined || refRoot === undefined) {
      // 0.3.2 crashes on this statement (a property of undefined).
      this.ctx.fail('TYPE_MISMATCH', NOT_AN_OBJECT, at);
      return null;
    }
    const place = { root, prop: target.prop };
    const budget = this.ctx.limits.maxStatementLength;
    const next = guarded((): { remove: boolean; value: unknown } => {
      // Read only where 0.3.2 reads (a caller's getter runs as often).
      const current = (): unknown => ownGet(root, target.prop);
      switch (op) {
        case '&':
          return {
            remove: false,
            value: ref === null || refRoot === null ? null : ownGet(refRoot, ref.prop),
          };
        case '=':
          return { remove: value === '' && typeof current() !== 'string', value };
        case '+':
          return {
            remove: false,
            value: plus(legacyPrimitive(current(), budget), value === null ? Number.NaN : value),
          };
        default:
          return {
            remove: false,
            value: arithmetic(
              op,
              legacyPrimitive(current(), budget),
              value === null ? Number.NaN : value,
            ),
          };
      }
    });
    if (!next.ok) {
      this.ctx.fail(next.code, next.reason, at);
      return null;
    }
    const done = next.value.remove
      ? this.remove(place, at)
      : this.assign(place, next.value.value, at);
    return done ? place : null;
  }

  /** Appends `text` to the value at `target` (a line of a multi-line value, after `apply`). */
  append(target: Place, text: string, at: VarStreamErrorDetails): boolean {
    const budget = this.ctx.limits.maxStatementLength;
    const next = guarded(() =>
      plus(legacyPrimitive(ownGet(target.root, target.prop), budget), text),
    );
    if (!next.ok) {
      this.ctx.fail(next.code, next.reason, at);
      return false;
    }
    return this.write(target, next.value, at);
  }

  private assign(target: Place, value: unknown, at: VarStreamErrorDetails): boolean {
    if (!this.ctx.countNode()) {
      this.ctx.fail('LIMIT_NODES', tooManyNodes(this.ctx.limits), at);
      return false;
    }
    return this.write(target, value, at);
  }

  private write(target: Place, value: unknown, at: VarStreamErrorDetails): boolean {
    if (isArrayLength(target.root, target.prop)) {
      return this.setArrayLength(target.root as unknown[], value, at);
    }
    const done = guarded(() => ownSet(target.root, target.prop, value));
    if (!done.ok) this.ctx.fail(done.code, done.reason, at);
    return done.ok;
  }

  private remove(target: Place, at: VarStreamErrorDetails): boolean {
    if (isArrayLength(target.root, target.prop)) {
      // 0.3.2 throws a TypeError here (delete on a non-configurable property).
      this.ctx.fail('UNSAFE_KEY', "Cannot delete property 'length' of [object Array]", at);
      return false;
    }
    const done = guarded(() => ownDelete(target.root, target.prop));
    if (!done.ok) this.ctx.fail(done.code, done.reason, at);
    return done.ok;
  }

  /** `array.length = value`, refused where 0.3.2 throws a RangeError or would build a huge array. */
  private setArrayLength(array: unknown[], value: unknown, at: VarStreamErrorDetails): boolean {
    const { limits } = this.ctx;
    const length = guarded(() => Number(legacyPrimitive(value, limits.maxStatementLength)));
    if (!length.ok) {
      this.ctx.fail(length.code, length.reason, at);
      return false;
    }
    const n = length.value;
    if (!Number.isInteger(n) || n < 0 || n > MAX_ARRAY_LENGTH) {
      this.ctx.fail('TYPE_MISMATCH', 'Invalid array length', at);
      return false;
    }
    if (n > limits.maxArrayIndex) {
      this.ctx.fail(
        'LIMIT_INDEX',
        `Array length ${n} is larger than maxArrayIndex (${limits.maxArrayIndex}).`,
        at,
      );
      return false;
    }
    if (n - array.length > limits.maxArrayGap) {
      this.ctx.fail(
        'LIMIT_GAP',
        `Array length ${n} is ${n - array.length} past the end of the array, more than maxArrayGap (${limits.maxArrayGap}).`,
        at,
      );
      return false;
    }
    array.length = n;
    return true;
  }
}

/**
 * Own-property access. The legacy codec never reads an inherited property (an
 * inherited name such as `toString` or `__proto__` is simply absent) and never
 * writes through a prototype (`__proto__` becomes an ordinary own key).
 */

const hasOwn = Object.prototype.hasOwnProperty;

/** Objects and functions: the values that can hold properties. */
export function isContainer(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

export function isOwn(target: object, key: string): boolean {
  return hasOwn.call(target, key);
}

/** `target[key]` if `key` is an own property of `target`, else undefined. */
export function ownGet(target: object, key: string): unknown {
  return hasOwn.call(target, key) ? (target as Record<string, unknown>)[key] : undefined;
}

/**
 * Sets `target[key] = value` as an own property. A key that is not own but
 * reachable through the prototype chain (`__proto__`, `constructor`, or any
 * name an exotic prototype defines) is created with `Object.defineProperty`,
 * so no inherited setter ever runs and no prototype is ever touched.
 */
export function ownSet(target: object, key: string, value: unknown): void {
  if (!hasOwn.call(target, key) && key in target) {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
    return;
  }
  (target as Record<string, unknown>)[key] = value;
}

/** `delete target[key]` for an own property; nothing for an absent one. */
export function ownDelete(target: object, key: string): void {
  if (hasOwn.call(target, key)) delete (target as Record<string, unknown>)[key];
}

/** True for the `length` of an array, the one own property the codec cannot freely replace. */
export function isArrayLength(target: unknown, key: string): boolean {
  return key === 'length' && Array.isArray(target);
}

/**
 * The operations on plain objects and arrays that `Tree` and the fast path
 * of `parse` share, so that both build exactly the same values.
 */
import type { Literal } from './value.js';

export type Container = Record<string, unknown> | unknown[];

export const hasOwn = Object.hasOwn;

export function isContainer(value: unknown): value is Container {
  return value !== null && typeof value === 'object';
}

/** The value a statement stores: a new object or array for `{}` and `[]`. */
export function fresh(value: Literal | undefined): unknown {
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? [] : {};
  return value;
}

/** `target[key] = value`, as an own property even for `__proto__`. */
export function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

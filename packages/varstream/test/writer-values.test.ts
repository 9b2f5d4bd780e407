import { describe, expect, it } from 'vitest';
import { stringify, type VarStreamError } from '../src/index.js';

function written(value: unknown): string {
  try {
    return stringify(value);
  } catch (err) {
    return `throws ${(err as VarStreamError).code} at ${(err as VarStreamError).path}`;
  }
}

describe('TreeWriter: values JSON.stringify skips, toJSON, BigInt', () => {
  it('skips functions, symbols and undefined; holes make indices', () => {
    expect(written({ f: () => 1, s: Symbol('x'), u: undefined, n: null, x: 1 })).toBe(
      'n=null\nx=1\n',
    );
    expect(written([1, () => 1, 2, Symbol('y'), undefined, 3])).toBe('!=1\n2=2\n5=3\n');
  });

  it('writes what toJSON returns, refusing functions and symbols it returns', () => {
    expect(written({ a: { toJSON: (k: string) => `key:${k}` } })).toBe('a=key:a\n');
    expect(written({ a: { toJSON: () => undefined }, b: 2 })).toBe('b=2\n');
    expect(written([{ toJSON: () => [1, 2] }])).toBe('!.!=1\n*.+=2\n');
    expect(written({ d: new Date(0) })).toBe('d=1970-01-01T00:00:00.000Z\n');
    expect(written({ a: { toJSON: () => () => 1 } })).toBe('throws UNSUPPORTED_VALUE at a');
    expect(written({ a: { toJSON: () => Symbol('z') } })).toBe('throws UNSUPPORTED_VALUE at a');
    expect(written({ big: 1n })).toBe('throws UNSUPPORTED_VALUE at big');
  });

  it('writes empty containers as {} and []', () => {
    expect(written({ e: {}, f: [], g: [[]], h: [{}] })).toBe('e={}\nf=[]\ng.!=[]\nh.!={}\n');
  });
});

import { describe, expect, it } from 'vitest';
import { parse, stringify } from '../src/index.js';
import { formatNumber } from '../src/value.js';

/** The doubles either side of `x`. */
function neighbours(x: number): [number, number] {
  const bits = new BigInt64Array(1);
  const view = new Float64Array(bits.buffer);
  view[0] = x;
  bits[0] -= 1n;
  const below = view[0]!;
  bits[0] += 2n;
  return [below, view[0]!];
}

describe('stringify: the writer fast paths give what the general ones gave', () => {
  it('numbers either side of 1e-6 and 1e21 (where String starts writing an exponent) are plain decimals', () => {
    for (const edge of [1e-6, 1e21]) {
      const [below, above] = neighbours(edge);
      for (const n of [below, edge, above, -below, -edge, -above]) {
        const text = formatNumber(n);
        expect(text).toMatch(/^-?[0-9]+(\.[0-9]+)?$/);
        expect(Number(text)).toBe(n);
        expect(parse(stringify({ n }))).toStrictEqual({ n });
      }
    }
    expect(formatNumber(9.999999999999997e-7)).toBe('0.0000009999999999999997');
    expect(formatNumber(1e21)).toBe('1000000000000000000000');
    expect(formatNumber(999999999999999900000)).toBe('999999999999999900000');
    expect(formatNumber(-1e-6)).toBe('-0.000001');
    expect([0, -0, Number.NaN, Infinity, -Infinity].map(formatNumber)).toStrictEqual([
      '0',
      '-0',
      'NaN',
      'Infinity',
      '-Infinity',
    ]);
  });

  it('a container met again after the first reference (numbers kept from then on) points at its first place', () => {
    const a = { a: 1 };
    const b = [2];
    const c = { c: 3 };
    // a is met again before b and c are registered; b and c are registered after
    // the map from containers to numbers was made, and met again later.
    const value = { a, list: [a, b, { c }], again: [b, c, a] };
    const text = stringify(value);
    expect(text).toBe(
      'a.a=1\nlist.!&=a\n^.+.!=2\n^1.+.c.c=3\nagain.!&=list.1\nagain.+&=list.2.c\nagain.+&=a\n',
    );
    const back = parse(text) as {
      a: object;
      list: [object, object, { c: object }];
      again: [object, object, object];
    };
    expect(back.again[0]).toBe(back.list[1]);
    expect(back.again[1]).toBe(back.list[2].c);
    expect(back.again[2]).toBe(back.a);
    expect(back.list[0]).toBe(back.a);
  });
});

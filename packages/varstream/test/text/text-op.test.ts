import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyTextOp,
  checkTextOp,
  composeTextOps,
  invertTextOp,
  opToSplices,
  splicesToOp,
  spliceToOp,
  type TextOp,
  transformPosition,
  transformTextOp,
} from '../../src/index.js';
import { boundaries, opArb as opArbOn, textAndOpsArb } from './arbitraries.js';

/** Normalizes any op (built by hand or generated) through composition with the no-op. */
function normal(op: TextOp): TextOp {
  return composeTextOps([], op);
}

function apply(text: string, op: TextOp): string {
  const problem = checkTextOp(text, op);
  if (problem !== undefined) throw new Error(problem.reason);
  return applyTextOp(text, op);
}

function inserts(op: TextOp): string {
  return op.filter((c) => typeof c === 'string').join('');
}

function isNormalized(op: TextOp): boolean {
  for (let i = 0; i < op.length; i++) {
    const c = op[i]!;
    const prev = op[i - 1];
    if (typeof c === 'number' && c <= 0) return false;
    if (typeof c === 'string' && c === '') return false;
    if (typeof c === 'object' && c.d <= 0) return false;
    if (prev !== undefined && typeof prev === typeof c) return false;
    if (typeof prev === 'object' && typeof c === 'string') return false; // insert before delete
  }
  return op.length === 0 || typeof op[op.length - 1] !== 'number';
}

describe('text operations: apply and splices', () => {
  it('applies keeps, inserts and deletes', () => {
    expect(applyTextOp('Meeting on Monday', [11, 'next '])).toBe('Meeting on next Monday');
    expect(applyTextOp('Meeting on Monday', [8, { d: 3 }])).toBe('Meeting Monday');
    expect(applyTextOp('abc', ['x', { d: 1 }, 1, 'y'])).toBe('xbyc');
    expect(applyTextOp('abc', [])).toBe('abc');
  });

  it('refuses positions past the end and inside a surrogate pair, and allows them around combining marks', () => {
    expect(checkTextOp('abc', [4, 'x'])?.reason).toMatch(/past the end/);
    expect(checkTextOp('abc', [2, { d: 2 }])?.reason).toMatch(/past the end/);
    expect(checkTextOp('a😀b', [2, 'x'])).toEqual({
      reason: 'Position 2 splits a character',
      at: 2,
    });
    expect(checkTextOp('a😀b', [1, { d: 1 }])?.at).toBe(2);
    expect(checkTextOp('a😀b', [1, { d: 2 }])).toBeUndefined();
    expect(applyTextOp('a😀b', [1, { d: 2 }])).toBe('ab');
    // A combining mark is its own code point: a position before it is a boundary.
    expect(checkTextOp('e\u0301', [1, 'x'])).toBeUndefined();
  });

  it('converts a splice to an operation and back', () => {
    expect(spliceToOp({ at: 3, del: 2, text: 'xy' })).toEqual([3, 'xy', { d: 2 }]);
    expect(spliceToOp({ at: 0, del: 0, text: '' })).toEqual([]);
    expect(opToSplices([3, 'xy', { d: 2 }, 4, { d: 1 }])).toEqual([
      { at: 3, del: 2, text: 'xy' },
      { at: 9, del: 1, text: '' },
    ]);
  });

  it('property: splices applied in turn do what their operation does', () => {
    fc.assert(
      fc.property(textAndOpsArb, ([text, a]) => {
        const op = normal(a);
        let s = text;
        for (const splice of opToSplices(op)) s = apply(s, spliceToOp(splice));
        expect(s).toBe(apply(text, op));
        expect(splicesToOp(opToSplices(op))).toEqual(op);
      }),
    );
  });
});

describe('text operations: invert', () => {
  it('property: the inverse undoes the operation', () => {
    fc.assert(
      fc.property(textAndOpsArb, ([text, a0]) => {
        const op = normal(a0);
        expect(apply(apply(text, op), invertTextOp(op, text))).toBe(text);
      }),
    );
  });
});

describe('text operations: compose', () => {
  it('property: composing equals applying in turn, and stays normalized', () => {
    fc.assert(
      fc.property(
        textAndOpsArb.chain(([text, a]) => {
          const middle = applyTextOp(text, a);
          return fc.tuple(fc.constant(text), fc.constant(a), opArbOn(middle));
        }),
        ([text, a, b]) => {
          const ab = composeTextOps(a, b);
          expect(apply(text, ab)).toBe(apply(apply(text, a), b));
          expect(isNormalized(ab)).toBe(true);
        },
      ),
    );
  });
});

describe('text operations: transform', () => {
  it('orders inserts at the same place by side', () => {
    expect(
      applyTextOp('ab', [1, 'X', ...transformTextOp([1, 'Y'], [1, 'X'], 'right').slice(1)]),
    ).toBe('aXYb');
    expect(transformTextOp([1, 'Y'], [1, 'X'], 'left')).toEqual([1, 'Y']);
    expect(transformTextOp([1, 'Y'], [1, 'X'], 'right')).toEqual([2, 'Y']);
  });

  it('keeps text typed inside a range another edit deletes', () => {
    // "one two three": A deletes "two " while B types "X" inside "two".
    const del = [4, { d: 4 }];
    const typed = [5, 'X'];
    const a2 = transformTextOp(del, typed, 'left');
    const b2 = transformTextOp(typed, del, 'right');
    expect(applyTextOp(applyTextOp('one two three', typed), a2)).toBe('one Xthree');
    expect(applyTextOp(applyTextOp('one two three', del), b2)).toBe('one Xthree');
  });

  it('property: both orders converge (TP1), for either side', () => {
    fc.assert(
      fc.property(textAndOpsArb, fc.constantFrom('left', 'right'), ([text, a0, b0], side) => {
        const a = normal(a0);
        const b = normal(b0);
        const other = side === 'left' ? 'right' : 'left';
        const viaB = apply(apply(text, b), transformTextOp(a, b, side));
        const viaA = apply(apply(text, a), transformTextOp(b, a, other));
        expect(viaB).toBe(viaA);
        expect(isNormalized(transformTextOp(a, b, side))).toBe(true);
      }),
    );
  });

  it('property: a transformed operation inserts exactly what it inserted before (nothing typed is lost)', () => {
    fc.assert(
      fc.property(textAndOpsArb, fc.constantFrom('left', 'right'), ([, a0, b0], side) => {
        const a = normal(a0);
        expect(inserts(transformTextOp(a, normal(b0), side))).toBe(inserts(a));
      }),
    );
  });

  it('moves a caret over inserts and deletes before it, and sticks it as asked', () => {
    expect(transformPosition(5, [2, 'xyz'], 'before')).toBe(8);
    expect(transformPosition(2, [2, 'xyz'], 'before')).toBe(2);
    expect(transformPosition(2, [2, 'xyz'], 'after')).toBe(5);
    expect(transformPosition(5, [1, { d: 2 }], 'before')).toBe(3);
    expect(transformPosition(2, [1, { d: 3 }], 'before')).toBe(1);
    expect(transformPosition(1, [3, 'x'], 'before')).toBe(1);
  });

  it('property: a caret moves like a marker character typed at it', () => {
    fc.assert(
      fc.property(textAndOpsArb, fc.nat(), fc.boolean(), ([text, a0], pick, before) => {
        const op = normal(a0);
        const bounds = boundaries(text);
        const caret = bounds[pick % bounds.length]!;
        const marker = [caret, '\u0000'];
        // 'before': text typed at the caret goes after it, as if the marker went first.
        const shifted = transformTextOp(op, marker, before ? 'right' : 'left');
        const withMarker = apply(apply(text, marker), shifted);
        const moved = transformPosition(caret, op, before ? 'before' : 'after');
        expect(withMarker.indexOf('\u0000')).toBe(moved);
        expect(withMarker.replace('\u0000', '')).toBe(apply(text, op));
      }),
    );
  });
});

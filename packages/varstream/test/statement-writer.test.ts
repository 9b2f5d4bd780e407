import { describe, expect, it } from 'vitest';
import {
  APPEND,
  LAST,
  parse,
  RESET,
  StatementWriter,
  type WritableStatement,
} from '../src/index.js';

const s = (
  path: WritableStatement['path'],
  value: WritableStatement['value'] = 1,
): WritableStatement => ({
  op: '=',
  path,
  value,
});

describe('StatementWriter', () => {
  it('shortens shared concrete prefixes with ^ and ^N', () => {
    const w = new StatementWriter();
    const text = [s(['a', 'b', 'c']), s(['a', 'b', 'd']), s(['a', 'x']), s(['q'])]
      .map((x) => w.write(x))
      .join('');
    expect(text).toBe('a.b.c=1\n^.d=1\na.x=1\nq=1\n');
    expect(parse(text)).toEqual({ a: { b: { c: 1, d: 1 }, x: 1 }, q: 1 });
  });

  it('never shares a dynamic segment: two appends stay two elements', () => {
    const w = new StatementWriter();
    const statements = [
      s(['list', APPEND, 'a']),
      s(['list', APPEND, 'b'], 2),
      s(['list', LAST, 'c'], 3),
      s(['list', LAST, 'd'], 4),
      s(['r', RESET, 'x'], 5),
      s(['r', RESET, 'y'], 6),
    ];
    const text = statements.map((x) => w.write(x)).join('');
    expect(parse(text)).toEqual({ list: [{ a: 1 }, { b: 2, c: 3, d: 4 }], r: [{ y: 6 }] });
  });

  it('starts absolute after reset()', () => {
    const w = new StatementWriter();
    w.write(s(['a', 'b', 'c']));
    w.reset();
    expect(w.write(s(['a', 'b', 'd']))).toBe('a.b.d=1\n');
  });
});

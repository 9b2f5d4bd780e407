import { describe, expect, it } from 'vitest';
import { parse, ReplicaTree, readText, type Statement, Tree } from '../src/index.js';

// Tree and parse()'s fast path start each walk from the chain of containers
// the previous statement went through. A change through a cycle can cut a
// link of that chain: after `a.b&=a`, `a.b.b=5` replaces `a.b` (which was
// `a` itself), so `a.b.c=1` must find the number 5 there and replace it
// with an object, not write `c` into `a` through the stale chain.
const CASES: [string, unknown][] = [
  ['a.x=1\na.b&=a\na.b.b=5\na.b.c=1\n', { a: { x: 1, b: { c: 1 } } }],
  ['l.0=1\nl.1&=l\nl.1.1=\nl.1.x=2\n', { l: [1, { x: 2 }] }],
  ['r&=^0\nr.r=1\nr.r.z=2\n', { r: { r: { z: 2 } } }],
  ['a.0=1\na.1&=a\na.1.!.q=3\na.1.z=4\n', { a: [{ q: 3 }, { z: 4 }] }],
];

function viaTree(text: string, tree: Tree | ReplicaTree): unknown {
  for (const statement of readText(text, { strict: true }) as Statement[]) tree.apply(statement);
  return tree.root;
}

/** The tree's values, each container once (cycles cut), for comparing by value. */
function plain(value: unknown, seen = new Set<object>()): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '<cycle>';
  seen.add(value);
  const out: unknown = Array.isArray(value)
    ? Array.from(value, (v) => plain(v, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, seen)]));
  seen.delete(value);
  return out;
}

describe('a change through a cycle does not leave the walk cache stale (regression)', () => {
  it.each(CASES)('%j', (text, expected) => {
    expect(plain(viaTree(text, new ReplicaTree()))).toEqual(expected);
    expect(plain(viaTree(text, new Tree()))).toEqual(expected);
    const undo = new Tree(undefined, { boundedRollback: true });
    undo.begin();
    expect(plain(viaTree(text, undo))).toEqual(expected);
    expect(plain(parse(text))).toEqual(expected);
    // The same statements after a prefix that keeps parse() on its fast path as long as it can.
    expect(plain(parse(`pad.a=1\npad.b=2\n${text}`))).toMatchObject(expected as object);
  });
});

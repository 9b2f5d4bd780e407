import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPEND,
  EMPTY_ARRAY,
  EMPTY_OBJECT,
  formatStatement,
  LAST,
  parse,
  RESET,
  ReplicaTree,
  readText,
  type Segment,
  type Statement,
  Tree,
} from '../src/index.js';

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

/** The shape of a tree, exactly: key order, holes, and which containers are the same object. */
function shape(root: unknown): unknown {
  const seen = new Map<object, number>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
    if (value === null || typeof value !== 'object') return value;
    const id = seen.get(value);
    if (id !== undefined) return { ref: id };
    seen.set(value, seen.size);
    if (Array.isArray(value)) {
      return {
        array: Array.from({ length: value.length }, (_, i) =>
          i in value ? walk(value[i]) : '<hole>',
        ),
      };
    }
    return {
      object: Object.keys(value).map((k) => [k, walk((value as Record<string, unknown>)[k])]),
    };
  };
  return walk(root);
}

const segment = fc.constantFrom<Segment[]>('a', 'b', 0, 1, APPEND, LAST, RESET);
const path = fc.array(segment, { maxLength: 4 });
const reference = fc.array(fc.constantFrom<Segment[]>('a', 'b', 0, 1, LAST), { maxLength: 3 });
const statement: fc.Arbitrary<Statement> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .tuple(path, fc.constantFrom(1, 'x', undefined, EMPTY_OBJECT, EMPTY_ARRAY))
      .map(([p, value]): Statement => ({ op: '=', path: p, value, line: 0 })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(path, reference)
      .map(([p, ref]): Statement => ({ op: '&=', path: p, value: undefined, ref, line: 0 })),
  },
  {
    weight: 1,
    arbitrary: path.map((p): Statement => ({ op: '+=', path: p, value: 2, line: 0 })),
  },
);

describe('Tree, parse() and ReplicaTree agree on statements through references and cycles', () => {
  it('statement by statement, and parse() on their text', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 14 }), (statements) => {
        const tree = new Tree();
        const small = new ReplicaTree();
        let text = '';
        let failed = false;
        for (const s of statements) {
          let error: unknown;
          let smallError: unknown;
          try {
            tree.apply(s);
          } catch (err) {
            error = err;
          }
          try {
            small.apply(s);
          } catch (err) {
            smallError = err;
          }
          expect(smallError).toEqual(error);
          expect(shape(small.root)).toEqual(shape(tree.root));
          text += formatStatement(s);
          failed ||= error !== undefined;
        }
        // parse() stops at the first error: compared when every statement applied.
        if (!failed) expect(shape(parse(text))).toEqual(shape(tree.root ?? {}));
      }),
      { numRuns: 1000 },
    );
  });
});

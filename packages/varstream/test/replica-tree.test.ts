import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPEND,
  type Change,
  EMPTY_ARRAY,
  EMPTY_OBJECT,
  LAST,
  type Limits,
  type Operator,
  RESET,
  ReplicaTree,
  type Statement,
  Tree,
  type VarStreamError,
} from '../src/index.js';

/**
 * The shape of a tree, exactly: key order, array holes and lengths, -0 and
 * NaN, and which containers are the same object (aliases, cycles).
 */
function shape(root: unknown): unknown {
  const seen = new Map<object, number>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
    if (value === null || typeof value !== 'object') return value;
    const id = seen.get(value);
    if (id !== undefined) return { ref: id };
    seen.set(value, seen.size);
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      for (let i = 0; i < value.length; i++) items.push(i in value ? walk(value[i]) : '<hole>');
      return { array: items };
    }
    return {
      object: Object.keys(value).map((k) => [k, walk((value as Record<string, unknown>)[k])]),
    };
  };
  return walk(root);
}

type Action = { kind: 'apply'; statement: Statement } | { kind: 'begin' | 'commit' | 'rollback' };

const segment = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<(string | number)[]>('a', 'b', 0, 1, APPEND, LAST, RESET),
  },
  { weight: 1, arbitrary: fc.constantFrom<(string | number)[]>('c', '__proto__', 2, 4) },
);
const path = fc.array(segment, { maxLength: 3 });
const literal = fc.constantFrom(
  1,
  -0,
  2.5,
  Number.NaN,
  'x',
  '',
  '12',
  'é\u{1F600}',
  true,
  null,
  EMPTY_OBJECT,
  EMPTY_ARRAY,
);
const operator = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Operator>('=') },
  { weight: 1, arbitrary: fc.constantFrom<Operator>('+=', '-=', '*=', '/=', '%=', '&=', '~=') },
);
const statement: fc.Arbitrary<Statement> = fc
  .record({
    op: operator,
    path,
    value: fc.option(literal, { nil: undefined }),
    ref: fc.option(path, { nil: undefined }),
    splice: fc.option(
      fc.record({
        at: fc.nat(4),
        del: fc.nat(3),
        text: fc.constantFrom('', 'y', 'zz', '\u{1F600}'),
      }),
      { nil: undefined },
    ),
    line: fc.constantFrom(0, 7),
  })
  .map((s) => ({
    op: s.op,
    path: s.path,
    value: s.op === '&=' || s.op === '~=' ? undefined : s.value,
    ref: s.op === '&=' ? s.ref : undefined,
    ...(s.op === '~=' ? { splice: s.splice } : {}),
    line: s.line,
  }));
/** Statements applied plainly, then blocks of statements between `begin()` and a rollback or a commit. */
const actions: fc.Arbitrary<Action[]> = fc
  .tuple(
    fc.array(statement, { maxLength: 8 }),
    fc.array(
      fc.tuple(
        fc.array(statement, { maxLength: 6 }),
        fc.constantFrom<Action['kind']>('rollback', 'rollback', 'commit', 'begin'),
      ),
      { maxLength: 5 },
    ),
  )
  .map(([plain, blocks]) => [
    ...plain.map((s): Action => ({ kind: 'apply', statement: s })),
    ...blocks.flatMap(([block, end]): Action[] => [
      { kind: 'begin' },
      ...block.map((s): Action => ({ kind: 'apply', statement: s })),
      ...(end === 'begin' ? [] : [{ kind: end } as Action]),
    ]),
  ]);

const describeError = (e: VarStreamError) => ({
  code: e.code,
  message: e.message,
  line: e.line,
  path: e.path,
});

function outcome(tree: Tree | ReplicaTree, statement: Statement): unknown {
  try {
    const change: Change = tree.apply(statement);
    return {
      change: { ...change, previous: shape(change.previous), result: shape(change.result) },
    };
  } catch (err) {
    return { error: describeError(err as VarStreamError) };
  }
}

function run(actions: readonly Action[], limits?: Partial<Limits>): void {
  const options = limits === undefined ? {} : { limits };
  const tree = new Tree(undefined, options);
  const small = new ReplicaTree(undefined, options);
  for (const step of actions) {
    if (step.kind === 'apply') {
      expect(outcome(small, step.statement)).toEqual(outcome(tree, step.statement));
    } else {
      tree[step.kind]();
      small[step.kind]();
    }
    expect(shape(small.root)).toEqual(shape(tree.root));
    expect(small.nodesCreated).toBe(tree.nodesCreated);
  }
  for (const probe of [[], ['a'], ['a', 0], ['a', LAST], ['b', 'c'], [1, 'a']]) {
    expect(shape(small.get(probe))).toEqual(shape(tree.get(probe)));
  }
}

describe('ReplicaTree: the same changes, trees and errors as Tree', () => {
  it('on random statements, with begin / commit / rollback between them', () => {
    fc.assert(
      fc.property(actions, (steps) => run(steps)),
      { numRuns: 1000 },
    );
  });

  it('under small limits (index, gap, string length, values created)', () => {
    const limits = { maxArrayIndex: 3, maxArrayGap: 1, maxStringLength: 4, maxNodes: 12 };
    fc.assert(
      fc.property(actions, (steps) => run(steps, limits)),
      { numRuns: 500 },
    );
  });

  it('rolls back an emptied sparse array without walking its holes', () => {
    const tree = new ReplicaTree(undefined, { limits: { maxArrayGap: Number.POSITIVE_INFINITY } });
    tree.apply({ op: '=', path: ['l', 9_000_000], value: 1, line: 0 });
    tree.apply({ op: '=', path: ['l', 3], value: 2, line: 0 });
    tree.begin();
    tree.apply({ op: '=', path: ['l', RESET], value: 'x', line: 0 });
    expect(tree.get(['l'])).toEqual(['x']);
    tree.rollback();
    const list = tree.get(['l']) as unknown[];
    expect(list.length).toBe(9_000_001);
    expect(Object.keys(list)).toEqual(['3', '9000000']);
  });

  it('a delete rolled back puts the key back in its place', () => {
    const tree = new ReplicaTree({ a: 1, b: 2, c: 3 });
    tree.begin();
    tree.apply({ op: '=', path: ['a'], value: undefined, line: 0 });
    tree.apply({ op: '=', path: ['d'], value: 4, line: 0 });
    tree.rollback();
    expect(Object.keys(tree.root as object)).toEqual(['a', 'b', 'c']);
  });
});

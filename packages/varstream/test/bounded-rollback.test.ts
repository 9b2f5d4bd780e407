import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createdKeys, isAliased, Reader, type Statement, stringify, Tree } from '../src/index.js';

function statements(text: string): Statement[] {
  const reader = new Reader({ strict: false });
  reader.end(text);
  const out: Statement[] = [];
  for (let entry = reader.read(); entry !== null; entry = reader.read()) {
    if (entry.op !== '#') out.push(entry);
  }
  return out;
}

/** Applies what applies, like a server applying statements one by one. */
function applyAll(tree: Tree, list: readonly Statement[]): void {
  for (const statement of list) {
    try {
      tree.apply(statement);
    } catch {
      // a statement that fails changes nothing
    }
  }
}

function build(text: string, bounded: boolean): Tree {
  const tree = new Tree(undefined, { boundedRollback: bounded });
  applyAll(tree, statements(text));
  return tree;
}

const key = fc.constantFrom('a', 'b', 'c', 'd');
const segment = fc.oneof(key, fc.constantFrom('0', '1', '+', '!', '*'));
const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('.'));
const line = fc.oneof(
  fc.tuple(path, fc.constantFrom('=1', '=x', '=', '={}', '=[]', '+=y')).map(([p, v]) => p + v),
  fc
    .tuple(path, fc.array(key, { minLength: 1, maxLength: 2 }))
    .map(([p, r]) => `${p}&=${r.join('.')}`),
);
const script = fc.array(line, { maxLength: 25 }).map((lines) => `${lines.join('\n')}\n`);

describe('Tree with boundedRollback', () => {
  it('commits to the same tree, key order included, as a plain tree', () => {
    fc.assert(
      fc.property(script, script, (setup, change) => {
        const plain = build(setup, false);
        const bounded = build(setup, true);
        bounded.begin();
        applyAll(bounded, statements(change));
        bounded.commit();
        applyAll(plain, statements(change));
        expect(stringify(bounded.root)).toBe(stringify(plain.root));
      }),
      { numRuns: 400 },
    );
  });

  it('rolls back to the tree it started from, key order included', () => {
    fc.assert(
      fc.property(script, script, (setup, change) => {
        const bounded = build(setup, true);
        const before = stringify(bounded.root);
        bounded.begin();
        applyAll(bounded, statements(change));
        bounded.rollback();
        expect(stringify(bounded.root)).toBe(before);
      }),
      { numRuns: 400 },
    );
  });

  it('reads a key deleted in the open change as absent', () => {
    const tree = build('o.a=1\no.b=2\n', true);
    tree.begin();
    applyAll(tree, statements('o.a=\nx&=o.a\no.b+=1\n'));
    expect(tree.get(['o', 'a'])).toBeUndefined();
    expect(tree.get(['x'])).toBeUndefined();
    tree.commit();
    expect(Object.keys(tree.root as object)).toEqual(['o']);
    expect(tree.root).toEqual({ o: { b: 3 } });
  });

  it('puts a key deleted then set again last, after keys created in between', () => {
    const tree = build('o.a=1\no.b=2\no.c=3\n', true);
    tree.begin();
    applyAll(tree, statements('o.b=\no.d=4\no.b=5\n'));
    tree.commit();
    expect(Object.keys((tree.root as { o: object }).o)).toEqual(['a', 'c', 'd', 'b']);
  });

  // Regression (issue 9, item 1): a delete copied every key of its object for the rollback.
  // A hang detector, not a timing: the old log took minutes here (a copy of 100 000 keys per delete).
  it('rolls back deletes on a 100 000-key object without touching its other keys', {
    timeout: 30_000,
  }, () => {
    const o: Record<string, number> = {};
    for (let i = 0; i < 100_000; i++) o[`k${i}`] = i;
    const tree = new Tree({ o }, { boundedRollback: true });
    const pairs = statements('o.k0=\no.k0=1\n'.repeat(2_000));
    for (let round = 0; round < 10; round++) {
      tree.begin();
      applyAll(tree, pairs);
      tree.rollback();
    }
    expect(Object.keys(o).slice(0, 2)).toEqual(['k0', 'k1']);
    expect(o.k0).toBe(0);
    expect(Object.keys(o).length).toBe(100_000);
  });

  // Regression (issue 9, item 1): `!` then a rollback walked every slot of a sparse array.
  // A hang detector: walking 10^6 slots per reset took about 100 ms each (40 s here).
  it('rolls back a reset of a sparse array of length 1 000 000 without walking its slots', {
    timeout: 20_000,
  }, () => {
    const list: unknown[] = [];
    for (let i = 0; i < 1_000_000; i += 1_000) list[i] = i;
    const aliased: unknown[] = [];
    for (let i = 0; i < 1_000_000; i += 1_000) aliased[i] = i;
    const tree = new Tree({ list, holder: { aliased } }, { boundedRollback: true });
    applyAll(tree, statements('alias&=holder.aliased\n'));
    const reset = statements('list.!=1\nholder.aliased.!=1\n');
    for (let round = 0; round < 200; round++) {
      tree.begin();
      applyAll(tree, reset);
      expect(tree.get(['list', 0])).toBe(1);
      expect((tree.get(['alias']) as unknown[]).length).toBe(1);
      tree.rollback();
    }
    const root = tree.root as { list: unknown[]; alias: unknown[] };
    expect(root.list).toBe(list);
    expect(list.length).toBe(999_001);
    expect(list[999_000]).toBe(999_000);
    expect(root.alias.length).toBe(999_001);
    expect(Object.keys(root.alias).length).toBe(1_000);
    // Only the aliased array was saved, by its elements: 1 000 per round.
    expect(tree.elementsSaved).toBe(200 * 1_000);
  });

  it('swaps a reset array only when nothing else refers to it', () => {
    const tree = build('l.0=1\nl.1=2\nm.0=1\nm.1=2\nalias&=m\n', true);
    const root = tree.root as { l: unknown[]; m: unknown[]; alias: unknown[] };
    const { l, m } = root;
    tree.begin();
    applyAll(tree, statements('l.!=x\nm.!=y\n'));
    tree.commit();
    expect(root.l).not.toBe(l);
    expect(root.l).toEqual(['x']);
    expect(root.m).toBe(m);
    expect(root.alias).toEqual(['y']);
  });

  it('regression: an &= rolled back leaves its target unshared (it stayed marked for good, and every later ! on that array was copied)', () => {
    const tree = build('l.0=1\nl.1=2\n', true);
    const root = tree.root as { l: unknown[]; alias?: unknown };
    const { l } = root;
    tree.begin();
    applyAll(tree, statements('alias&=l\n'));
    expect(isAliased(l)).toBe(true);
    tree.rollback();
    expect(root.alias).toBeUndefined();
    expect(isAliased(l)).toBe(false);
    tree.begin();
    applyAll(tree, statements('l.!=x\n'));
    tree.commit();
    expect(root.l).not.toBe(l); // swapped, not copied: nothing else refers to it
    expect(root.l).toEqual(['x']);
  });

  it('keeps the mark of a container an earlier, committed &= shared', () => {
    const tree = build('m.0=1\nalias&=m\n', true);
    const { m } = tree.root as { m: unknown[] };
    tree.begin();
    applyAll(tree, statements('again&=m\n'));
    tree.rollback();
    expect(isAliased(m)).toBe(true);
  });
});

describe('createdKeys: an upper bound on the keys of an object, without enumerating it', () => {
  it('counts the keys committed changes created, not rolled-back ones; unknown for other objects', () => {
    const tree = new Tree(undefined, { boundedRollback: true });
    tree.begin();
    applyAll(tree, statements('o.a=1\no.b=2\no.b=3\n'));
    tree.commit();
    const o = (tree.root as { o: object }).o;
    expect(createdKeys(o)).toBe(2);
    tree.begin();
    applyAll(tree, statements('o.c=1\no.d=1\n'));
    tree.rollback();
    expect(createdKeys(o)).toBe(2);
    tree.begin();
    applyAll(tree, statements('o.a=\no.a=4\n'));
    tree.commit();
    expect(createdKeys(o)).toBeGreaterThanOrEqual(Object.keys(o).length);
    expect(createdKeys({ a: 1 })).toBeUndefined();
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APPEND,
  parse,
  RESET,
  Reader,
  type Statement,
  stringify,
  Tree,
  type VarStreamError,
} from '../src/index.js';

function codes(text: string): string[] {
  const out: string[] = [];
  parse(text, { onError: (e) => out.push(e.code) });
  return out;
}

describe('Tree: operators', () => {
  it('computes numbers and concatenates strings', () => {
    expect(parse('a=5\na+=2\na*=3\na-=1\na/=4\na%=3\n')).toEqual({ a: 2 });
    expect(parse('a=5\na/=0\nb=5\nb%=0\n')).toEqual({ a: Number.POSITIVE_INFINITY, b: Number.NaN });
    expect(parse('s=ab\ns+=cd\ns+=1\ns+=true\nn=5\nn+=x\n')).toEqual({ s: 'abcd1true', n: '5x' });
  });

  it('starts a missing value from the operand (+=) or from 0', () => {
    expect(parse('a+=x\nb+=5\nc-=2\nd*=3\n')).toEqual({ a: 'x', b: 5, c: -2, d: 0 });
  });

  it('refuses operators on types that do not combine, changing nothing', () => {
    expect(
      codes('a=5\na+=true\na+=null\nb=x\nb-=1\nc=true\nc+=1\nd.e=1\nd+=1\nf=x\nf*=y\n'),
    ).toEqual(Array(6).fill('TYPE_MISMATCH'));
    expect(parse('a=5\na+=null\n', { tolerant: true })).toEqual({ a: 5 });
  });

  it('empties a string and deletes anything else with an empty =', () => {
    const root = parse('a=1\na=\nb=x\nb=\nc.d=1\nc.d=\ne.0=1\ne.1=2\ne.0=\n') as Record<
      string,
      unknown
    >;
    expect(Object.keys(root)).toEqual(['b', 'c', 'e']);
    expect(root.b).toBe('');
    expect(root.c).toEqual({});
    // deleting an array element leaves a hole, as in 0.3.2
    const e = root.e as unknown[];
    expect(e.length).toBe(2);
    expect(0 in e).toBe(false);
    expect(e[1]).toBe(2);
  });
});

describe('Tree: paths', () => {
  it('creates containers, and a segment of the other kind replaces one', () => {
    expect(parse('a=1\na.b=2\n')).toEqual({ a: { b: 2 } });
    expect(parse('a.b=1\na.0=2\n')).toEqual({ a: [2] });
    expect(parse('a.0=1\na.b=2\n')).toEqual({ a: { b: 2 } });
    expect(parse('+=1\n+=2\n')).toEqual([1, 2]);
  });

  it('appends, addresses the last element and resets arrays', () => {
    expect(parse('a.!=0\na.+=1\na.+=2\na.*=9\nb.+.x=1\nb.*.y=2\nb.!.z=3\n')).toEqual({
      a: [0, 1, 9],
      b: [{ z: 3 }],
    });
    expect(codes('a.*=1\nb=[]\nb.*=1\n')).toEqual(['NO_LAST', 'NO_LAST']);
  });

  it('reports the concrete path of what it applied', () => {
    const tree = new Tree({ list: [1, 2] });
    const change = tree.apply({ op: '=', path: ['list', APPEND], value: 3, line: 0 });
    expect(change.path).toEqual(['list', 2]);
    expect(tree.apply({ op: '=', path: ['list', RESET], value: 4, line: 0 }).path).toEqual([
      'list',
      RESET,
    ]);
    expect(tree.root).toEqual({ list: [4] });
  });

  it('enforces array gap and index limits', () => {
    expect(codes('a.100001=1\nb.0=1\nb.100002=2\n')).toEqual(['LIMIT_GAP', 'LIMIT_GAP']);
    const tree = new Tree(undefined, { limits: { maxArrayIndex: 10 } });
    expect(() => tree.apply({ op: '=', path: ['a', 11], value: 1, line: 0 })).toThrowError(
      expect.objectContaining({ code: 'LIMIT_INDEX' }),
    );
  });

  it('counts created values against maxNodes', () => {
    const errors: VarStreamError[] = [];
    parse('a.b.c=1\nd=2\n', { limits: { maxNodes: 4 }, onError: (e) => errors.push(e) });
    expect(errors.map((e) => e.code)).toEqual(['LIMIT_NODES']);
  });
});

describe('Tree: references', () => {
  it('shares objects and keeps identity', () => {
    const root = parse('a.b=1\nc&=a\nc.b=2\n') as { a: object; c: object };
    expect(root.c).toBe(root.a);
    expect(root).toEqual({ a: { b: 2 }, c: { b: 2 } });
  });

  it('makes circular structures (self, root, ancestor) as 0.3.2', () => {
    const root = parse('a.x=1\na.self&=a\nr&=^0\n') as Record<string, Record<string, unknown>>;
    expect(root.a!.self).toBe(root.a);
    expect(root.r).toBe(root);
    const fresh = parse('a.self&=a\n') as Record<string, Record<string, unknown>>;
    expect(fresh.a!.self).toBe(fresh.a);
  });

  it('reads the reference before the left side changes the tree (8-rightval.dat)', () => {
    expect(parse('a.!=10\na.+&=a.*\nb.!.v=9\nb.+.v&=b.*.v\n')).toEqual({
      a: [10, 10],
      b: [{ v: 9 }, { v: 9 }],
    });
  });

  it('refuses references to nothing, and + or ! in a reference', () => {
    expect(codes('c&=x.y\na.b=1\nc&=a.zz\nc&=a.+\n')).toEqual([
      'REF_NOT_FOUND',
      'REF_NOT_FOUND',
      'REF_NOT_FOUND',
    ]);
    expect(parse('c&=x.y\n', { tolerant: true })).toEqual({});
  });
});

describe('Tree: security', () => {
  it('never touches a prototype, whatever the keys', () => {
    const text = [
      '__proto__.polluted=1',
      'constructor.prototype.polluted=1',
      'a.__proto__.polluted=1',
      'b.constructor.polluted=1',
      'toString.polluted=1',
      'x&=__proto__',
      'y.__proto__&=^0',
      'z&=constructor.prototype',
      'hasOwnProperty=1',
      'list.0=1',
      'list.__proto__.push=1',
      '"__proto__"."__proto__".polluted=1',
    ].join('\n');
    const root = parse(text) as Record<string, unknown>;
    for (const proto of [
      Object.prototype,
      Array.prototype,
      Function.prototype,
      Object,
      String.prototype,
    ]) {
      expect((proto as unknown as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect(Object.getPrototypeOf(root)).toBe(Object.prototype);
    expect(Object.hasOwn(root, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof [].push).toBe('function');
    expect(stringify(parse(stringify(root)))).toBe(stringify(root));
  });
});

describe('Tree: atomicity', () => {
  const statementArb = fc
    .array(
      fc.constantFrom(
        'a=1',
        'a.b=2',
        'a.+=3',
        'a.*=4',
        'a.!=5',
        'a.b+=x',
        'a.b*=2',
        'c&=a',
        'c&=a.b',
        'd.0.e=1',
        '^.f=2',
        'a=',
        'a.b.c.d=1',
        'x&=^0',
        'a.5=1',
        'a.200000=1',
        'n+=1',
        'n+=true',
      ),
      { maxLength: 12 },
    )
    .map((lines) => `${lines.join('\n')}\n`);

  it('a failing statement changes nothing; rollback restores the tree exactly', () => {
    fc.assert(
      fc.property(statementArb, statementArb, (before, group) => {
        const tree = new Tree();
        const reader = new Reader({ context: undefined });
        reader.end(before);
        for (const s of reader.readAll()) {
          const snapshot = stringify(tree.root ?? {});
          try {
            tree.apply(s as Statement);
          } catch {
            expect(stringify(tree.root ?? {})).toBe(snapshot);
          }
        }
        const saved = stringify(tree.root ?? {});
        tree.begin();
        const groupReader = new Reader();
        groupReader.end(group);
        for (const s of groupReader.readAll()) {
          try {
            tree.apply(s as Statement);
          } catch {
            // keep going: rollback must undo the successful ones
          }
        }
        tree.rollback();
        expect(stringify(tree.root ?? {})).toBe(saved);
      }),
      { numRuns: 2000 },
    );
  });

  it('the prefix cache gives the same result as walking from the root', () => {
    fc.assert(
      fc.property(statementArb, (text) => {
        const cached = new Tree();
        const reader = new Reader();
        reader.end(text);
        for (const s of reader.readAll()) {
          const fresh = new Tree(
            cached.root === undefined ? undefined : parse(stringify(cached.root)),
          );
          let a: string;
          let b: string;
          try {
            cached.apply(s as Statement);
            a = stringify(cached.root ?? {});
          } catch (e) {
            a = (e as VarStreamError).code;
          }
          try {
            fresh.apply(s as Statement);
            b = stringify(fresh.root ?? {});
          } catch (e) {
            b = (e as VarStreamError).code;
          }
          expect(a).toBe(b);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

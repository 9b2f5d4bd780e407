import { describe, expect, it } from 'vitest';
import {
  canonicalize,
  canonicalReset,
  formatStatement,
  PathContext,
  parse,
  Reader,
  Tree,
} from '../src/index.js';
import { oracle } from './legacy.helpers.js';

/** The canonical lines of `input` applied to an empty tree, and the tree it makes. */
function canonicalLines(input: string): { text: string; root: unknown } {
  const tree = new Tree({});
  const context = new PathContext();
  const reader = new Reader({ context });
  reader.end(input);
  let text = '';
  for (const statement of reader) {
    const change = tree.apply(statement, context);
    const reset = canonicalReset(change);
    if (reset !== undefined) text += formatStatement(reset);
    text += formatStatement(canonicalize(change));
  }
  return { text, root: tree.root };
}

// Regression (issue 11, item 3, "codec issue 1" patched in the server): a key
// addressed on an existing array replaced it with an object, and the canonical
// line alone left varstream 0.3.2 with the array (and a property on it).
describe('canonical lines when a key replaces an array with an object', () => {
  it('write the array reset before the statement', () => {
    const { text, root } = canonicalLines('list.+=1\nlist.z=2\n');
    expect(root).toEqual({ list: { z: 2 } });
    expect(text).toBe('list.0=1\nlist={}\nlist.z=2\n');
  });

  it('give varstream 0.3.2 and this codec the same tree', () => {
    const inputs = [
      'list.+=1\nlist.z=2\n',
      'a.list.+=1\na.list.+=2\na.list.z.y=3\n',
      'a.+.b=1\na.0.c.+=2\na.0.c.k=3\n',
    ];
    for (const input of inputs) {
      const { text, root } = canonicalLines(input);
      expect(parse(text)).toEqual(root);
      expect(oracle.parse(text)).toEqual(root);
    }
  });

  it('is not written when no array is replaced', () => {
    const tree = new Tree({ list: [1], obj: { a: 1 } });
    for (const line of ['list.0.a=2', 'list.+=3', 'obj.b=2', 'fresh.z=1', 'list.!=1']) {
      const reader = new Reader();
      reader.end(`${line}\n`);
      const change = tree.apply(reader.read() as Parameters<Tree['apply']>[0]);
      expect(change.arrayReplaced).toBeUndefined();
      expect(canonicalReset(change)).toBeUndefined();
    }
  });

  it('reports the path of the replaced array, concrete', () => {
    const cases: [string, unknown][] = [
      ['list.z=1', ['list']],
      ['list.0.a=1', undefined],
      ['list.+.b=1', undefined],
      ['list.*.a=1', undefined],
      ['obj.x.y.z=1', ['obj', 'x']],
    ];
    for (const [line, expected] of cases) {
      const tree = new Tree({ list: [{ a: 1 }], obj: { x: [1] } });
      const reader = new Reader();
      reader.end(`${line}\n`);
      const change = tree.apply(reader.read() as Parameters<Tree['apply']>[0]);
      expect(change.arrayReplaced, line).toEqual(expected);
    }
  });

  it('reports the replaced array at the root', () => {
    const tree = new Tree([1]);
    const reader = new Reader();
    reader.end('a=1\n');
    const change = tree.apply(reader.read() as Parameters<Tree['apply']>[0]);
    expect(change.arrayReplaced).toEqual([]);
    expect(tree.root).toEqual({ a: 1 });
  });
});

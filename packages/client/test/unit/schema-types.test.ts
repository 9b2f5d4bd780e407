import { describe, expectTypeOf, it } from 'vitest';
import type { DocPath, DocValue, Paths, VarStreamDocument } from '../../src/index.js';

interface Schema {
  form: { firstname: string; age?: number; tags: string[] };
  list: { name: string; done: boolean }[];
}

// Checked by `pnpm typecheck` (tsconfig.test.json); at run time these are no-ops.
describe('typed documents', () => {
  it('types paths and values', () => {
    expectTypeOf<'form.firstname'>().toExtend<Paths<Schema>>();
    expectTypeOf<'list.3.done'>().toExtend<Paths<Schema>>();
    expectTypeOf<DocValue<Schema, 'form.age'>>().toEqualTypeOf<number>();
    expectTypeOf<DocValue<Schema, 'list.0'>>().toEqualTypeOf<{ name: string; done: boolean }>();
    expectTypeOf<DocValue<Schema, ''>>().toEqualTypeOf<Schema>();
    expectTypeOf<DocPath<unknown>>().toEqualTypeOf<string>();
  });

  it('checks get, set, push and subscribe', () => {
    const use = (doc: VarStreamDocument<Schema>) => {
      expectTypeOf(doc.get('form.firstname')).toEqualTypeOf<string | undefined>();
      doc.set('form.age', 3);
      // @ts-expect-error a number field takes numbers
      doc.set('form.age', 'three');
      // @ts-expect-error unknown path
      doc.get('form.lastname');
      doc.push('list', { name: 'x', done: false });
      doc.subscribe('list.0.done', (done) =>
        expectTypeOf(done).toEqualTypeOf<boolean | undefined>(),
      );
      doc.subscribe('list.+.done', (value) => expectTypeOf(value).toBeUnknown());
    };
    expectTypeOf(use).toBeFunction();
  });
});

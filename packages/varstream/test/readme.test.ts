import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeSnippets, runModule } from '../../../scripts/lib/readme-snippets.mjs';

// Every example of the codec's README (and the codec example of the
// repository's README) runs, as written, against the built package, and
// prints what its comments say.
const PACKAGE = resolve(import.meta.dirname, '..');
const DIR = join(PACKAGE, '.readme-snippets');
mkdirSync(DIR, { recursive: true });
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** Fragments of what each example prints, in README order. */
const PRINTS: Record<string, string[][]> = {
  'packages/varstream/README.md': [
    ["firstname: 'Alice'", "zip: '01000'", 'EMPTY_SEGMENT 2 5', 'Empty path segment at line 2'],
    ['maxStatementLength: 16777216', 'maxNodes: 10000000'],
    ["{ form: { firstname: 'Alice', age: 30 } }", '1288892'],
  ],
  'README.md': [["a: { b: 1, c: 2 }, list: [ 'x' ]", 'form.firstname=Alice\n^.age="12"']],
};

describe.each(Object.keys(PRINTS))('%s', (readme) => {
  const blocks = readmeSnippets(resolve(PACKAGE, '../..', readme)).filter((b) =>
    // The repository README's other examples need a server: the client's tests run them.
    readme === 'README.md' ? b.code.includes("from '@varstream/varstream'") : true,
  );

  it('has the examples this test expects', () => {
    expect(blocks.map((b) => b.notRun)).toEqual(PRINTS[readme]!.map(() => undefined));
  });

  it.each(blocks.map((b, i) => [b.line, b, i] as const))(
    'the example at line %i runs and prints what it says',
    async (line, block, index) => {
      const file = join(DIR, `${readme.replace(/\W/g, '-')}-${line}.mjs`);
      writeFileSync(file, block.code);
      const run = await runModule(file, DIR);
      expect(run.code, run.stderr).toBe(0);
      const printed = run.stdout + run.stderr;
      for (const fragment of PRINTS[readme]![index]!) expect(printed).toContain(fragment);
    },
  );
});

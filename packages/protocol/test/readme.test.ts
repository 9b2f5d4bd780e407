import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readmeSnippets, runModule } from '../../../scripts/lib/readme-snippets.mjs';

// The README's example runs, as written, against the built package (it
// imports the package by its name), and prints what its comments say.
const PACKAGE = resolve(import.meta.dirname, '..');
const DIR = join(PACKAGE, '.readme-snippets');
mkdirSync(DIR, { recursive: true });
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

const blocks = readmeSnippets(join(PACKAGE, 'README.md'));

describe('protocol README', () => {
  it('has the example this test expects', () => {
    expect(blocks.map((b) => b.notRun)).toEqual([undefined]);
  });

  it('the quick start prints what its comments say', async () => {
    const block = blocks[0]!;
    const file = join(DIR, 'quick-start.mjs');
    writeFileSync(file, block.code);
    const run = await runModule(file, DIR);
    expect(run.code, run.stderr).toBe(0);
    const said = [...block.code.matchAll(/\/\/ (.+)$/gm)].map((m) => m[1]);
    expect(run.stdout.trim().split('\n')).toEqual(said);
  });
});

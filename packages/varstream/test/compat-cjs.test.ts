/**
 * `require('@varstream/varstream/compat')` in a plain CommonJS Node process
 * (the built package, with require(esm) turned off where Node has it), and
 * `import` of the same entry: same results as `require('varstream')` (0.3.2).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { assertBuilt } from './support/built.js';

const PACKAGE = join(import.meta.dirname, '..');
const SCRIPT = join(import.meta.dirname, 'support/require-compat.cjs');
const CJS_ENTRY = join(PACKAGE, 'dist/cjs/compat/cjs.js');
/** Node accepts the flag from 20.19 (require(esm) by default); older ones have no require(esm) at all. */
const NO_REQUIRE_ESM =
  spawnSync(process.execPath, ['--no-experimental-require-module', '-e', '']).status === 0
    ? ['--no-experimental-require-module']
    : [];

function run(args: string[]): Record<string, unknown> {
  const child = spawnSync(process.execPath, args, {
    cwd: PACKAGE,
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as Record<string, unknown>;
}

describe('CommonJS and ESM consumers of the built package', () => {
  beforeAll(() => assertBuilt(CJS_ENTRY));
  test("require('@varstream/varstream/compat') is VarStream and behaves as require('varstream')", () => {
    const ours = run([...NO_REQUIRE_ESM, SCRIPT, 'ours']);
    const theirs = run([SCRIPT, 'theirs']);
    expect(ours.resolved).toBe(CJS_ENTRY);
    expect(ours.type).toBe('function');
    expect(ours.aliases).toBe(true);
    const { resolved: _ours, ...oursReport } = ours;
    const { resolved: _theirs, ...theirsReport } = theirs;
    expect(oursReport).toEqual(theirsReport);
  });

  test('import: the default export and the named exports are the same VarStream', () => {
    const source = `
      import VarStream, { VarStream as Named, VarStreamReader } from '@varstream/varstream/compat';
      import { createRequire } from 'node:module';
      const required = createRequire(import.meta.url)('@varstream/varstream/compat');
      console.log(JSON.stringify({
        same: VarStream === Named && VarStreamReader === VarStream.Reader,
        parsed: VarStream.parse('a.+=1\\n'),
        requiredParsed: required.parse('a.+=1\\n'),
      }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', source], {
      cwd: PACKAGE,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual({
      same: true,
      parsed: { a: [1] },
      requiredParsed: { a: [1] },
    });
  });
});

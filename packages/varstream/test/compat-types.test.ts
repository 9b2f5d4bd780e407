/**
 * The declarations of `@varstream/varstream/compat`, as tsc sees them from a
 * consumer: ESM `import` (dist/compat) and CommonJS `import = require()`
 * (dist/cjs), correct uses accepted and wrong ones refused.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { assertBuilt } from './support/built.js';

const PACKAGE = join(import.meta.dirname, '..');
const TSC = join(PACKAGE, 'node_modules/.bin/tsc');
const DECLARATIONS = join(PACKAGE, 'dist/cjs/compat/cjs.d.ts');

function typecheck(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(TSC, ['-p', project], { cwd: PACKAGE }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

describe('the compat declarations, compiled by tsc', () => {
  beforeAll(() => assertBuilt(DECLARATIONS));
  test('ESM and CommonJS consumers type-check (and the wrong calls are refused)', async () => {
    expect(await typecheck('test/types/compat/tsconfig.json')).toEqual({ code: 0, output: '' });
  });
});

// Used by the packages' vitest global setups: a package's tests run its
// build output (README examples, the CLI, the CommonJS build), so running
// one package's tests (`pnpm --filter <pkg> test`, no turbo to build first)
// must not meet a missing or stale `dist/`.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Runs the `build` script of the package in `dir` (its package.json), as
 * `pnpm run build` would: in `dir`, with its `node_modules/.bin` first on
 * the PATH. `tsc -b` also builds the workspace packages it references, and
 * does nothing when they are up to date. Throws when the build fails.
 */
export function buildPackage(dir) {
  const { name, scripts } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const build = scripts?.build;
  if (typeof build !== 'string') throw new Error(`${name} has no build script`);
  const path = [join(dir, 'node_modules', '.bin'), process.env.PATH].join(delimiter);
  try {
    execFileSync('sh', ['-c', build], {
      cwd: dir,
      stdio: 'inherit',
      env: { ...process.env, PATH: path },
    });
  } catch {
    throw new Error(`building ${name} for its tests failed (\`${build}\`, output above)`);
  }
}

import { existsSync } from 'node:fs';

/**
 * Tests of the built package (the CLI, the CommonJS entry, the declarations)
 * fail with this message, never skip, when the build output is missing:
 * `pnpm test` builds first (Turbo); a bare `vitest` run needs a build.
 */
export function assertBuilt(file: string): void {
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run "pnpm --filter @varstream/varstream build" first`);
  }
}

import { existsSync } from 'node:fs';
import { build } from 'vite';
import { APP_DIR, serverCli } from './harness.js';

/**
 * The tests run against the built app served by the real server CLI: both
 * must exist. `pnpm test` at the root builds everything first (turbo); the
 * app itself is rebuilt here (about a second) so that a test run never sees
 * stale output.
 */
export default async function setup(): Promise<void> {
  const cli = serverCli();
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing: run \`pnpm build\` at the repository root first`);
  }
  await build({ root: APP_DIR, logLevel: 'warn' });
}

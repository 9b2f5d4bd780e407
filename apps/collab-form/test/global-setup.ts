import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { buildPackage } from '../../../scripts/lib/build-package.mjs';

/**
 * The tests run against the built app served by the real server CLI: both
 * are built first (the server, and the client whose build output `vite
 * build` bundles; quick when up to date), so that
 * `pnpm --filter collab-form test` works on a fresh clone and a test run
 * never sees stale output. Nothing here imports a workspace package (the
 * harness does): they are not built yet.
 */
export default async function setup(): Promise<void> {
  const app = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  for (const pkg of ['server', 'client']) buildPackage(join(app, '../../packages', pkg));
  await build({ root: app, logLevel: 'warn' });
}

#!/usr/bin/env node
// `prepack` of every published package. pnpm (`pnpm pack`, `pnpm publish`,
// `changeset publish`) replaces `workspace:*` dependencies with the versions
// they stand for; npm leaves them as they are, and the tarball it makes then
// fails to install anywhere (EUNSUPPORTEDPROTOCOL). So under npm, a package
// with workspace dependencies is refused here, with the command that works.
// A package not built yet (no dist/) is refused too: its tarball would
// install a package that cannot load.
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';

// The tool running this script: npm and pnpm each set npm_execpath to themselves
// (npm_config_user_agent can be inherited from an outer pnpm run, so it is not used).
const { npm_execpath: packerPath = '' } = process.env; // not a turbo task: no cache to key
const packer = basename(packerPath).startsWith('pnpm') ? 'pnpm' : 'npm';
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const workspaceDeps = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap(
  (field) =>
    Object.entries(pkg[field] ?? {})
      .filter(([, range]) => String(range).startsWith('workspace:'))
      .map(([name]) => name),
);

if (!existsSync('dist')) {
  process.stderr.write(
    `\n${pkg.name}: dist/ is missing: build before packing (from the repository root):\n\n` +
      `  pnpm build\n\n`,
  );
  process.exit(1);
}

if (packer !== 'pnpm' && workspaceDeps.length > 0) {
  process.stderr.write(
    `\n${pkg.name}: cannot be packed by npm: its dependencies ` +
      `${workspaceDeps.join(', ')} are workspace:* links, which only pnpm rewrites into versions.\n` +
      `Pack it with pnpm instead (from the repository root):\n\n` +
      `  pnpm --filter ${pkg.name} pack\n\n`,
  );
  process.exit(1);
}

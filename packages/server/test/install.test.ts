import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage } from '../../../scripts/lib/build-package.mjs';
import { until } from './helpers/wait.js';

/**
 * The packages as a user gets them: packed by the repository's pack command
 * (`pnpm pack`), installed by npm from the tarballs into an empty project,
 * used from ESM and CommonJS, the server run from its bin, a Node client
 * synced to it. Dependencies from outside (ws, prom-client) come from the
 * npm registry, or npm's cache when it has them.
 */
const REPO = resolve(import.meta.dirname, '../../..');
const NAMES = ['varstream', 'protocol', 'client', 'server'];
const PACKAGES = NAMES.map((p) => join(REPO, 'packages', p));
const TSC = join(REPO, 'node_modules/.bin/tsc');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

/** Runs `command` and fails with its output unless it exits 0. */
async function ok(command: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  }
  return result.stdout;
}

let work: string;
let app: string;
let tarballs: string[];
const servers: ChildProcess[] = [];

beforeAll(async () => {
  work = join(tmpdir(), `varstream-install-${process.pid}-${Date.now()}`);
  app = join(work, 'app');
  await mkdir(join(work, 'tarballs'), { recursive: true });
  await mkdir(app);
  for (const dir of PACKAGES) {
    // Built first: this package's own build does not build the client (the
    // server does not depend on it), and a tarball without dist/ installs
    // a package that cannot load.
    buildPackage(dir);
    await ok('pnpm', ['pack', '--pack-destination', join(work, 'tarballs')], dir);
  }
  tarballs = (await readdir(join(work, 'tarballs'))).map((f) => join(work, 'tarballs', f));
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ name: 'scratch', private: true, version: '1.0.0' }),
  );
  await ok(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs],
    app,
  );
}, 300_000);

afterAll(async () => {
  for (const child of servers) if (child.exitCode === null) child.kill('SIGKILL');
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Every subpath a package exports (but ./package.json), as specifiers. */
async function specifiers(): Promise<string[]> {
  const out: string[] = [];
  for (const name of NAMES) {
    const pkg = JSON.parse(
      await readFile(join(app, 'node_modules/@varstream', name, 'package.json'), 'utf8'),
    ) as { name: string; exports: Record<string, unknown> };
    for (const sub of Object.keys(pkg.exports)) {
      if (sub !== './package.json') out.push(sub === '.' ? pkg.name : `${pkg.name}${sub.slice(1)}`);
    }
  }
  return out;
}

describe('the packed packages, installed with npm in an empty project', () => {
  it('installs all four, with versions in place of workspace:*', async () => {
    expect(tarballs.map((t) => t.slice(t.lastIndexOf('/') + 1)).sort()).toEqual([
      'varstream-client-0.4.0.tgz',
      'varstream-protocol-0.4.0.tgz',
      'varstream-server-0.4.0.tgz',
      'varstream-varstream-0.4.0.tgz',
    ]);
    const server = JSON.parse(
      await readFile(join(app, 'node_modules/@varstream/server/package.json'), 'utf8'),
    ) as { dependencies: Record<string, string> };
    expect(server.dependencies['@varstream/varstream']).toBe('0.4.0');
    expect(server.dependencies['@varstream/protocol']).toBe('0.4.0');
    // The server speaks the protocol; it does not pull the browser client.
    expect(server.dependencies['@varstream/client']).toBeUndefined();
  });

  it('loads every export with import and with require', async () => {
    const subpaths = await specifiers();
    expect(subpaths).toContain('@varstream/varstream');
    await writeFile(
      join(app, 'both.cjs'),
      `const names = ${JSON.stringify(subpaths)};
const out = {};
for (const name of names) out[name] = Object.keys(require(name)).length;
out.parsed = require('@varstream/varstream').parse('a.b=1\\n^.c=2\\n');
console.log(JSON.stringify(out));
`,
    );
    await writeFile(
      join(app, 'both.mjs'),
      `const names = ${JSON.stringify(subpaths)};
const out = {};
for (const name of names) out[name] = Object.keys(await import(name)).length;
out.parsed = (await import('@varstream/varstream')).parse('a.b=1\\n^.c=2\\n');
console.log(JSON.stringify(out));
`,
    );
    const fromRequire = JSON.parse(await ok(process.execPath, ['both.cjs'], app));
    const fromImport = JSON.parse(await ok(process.execPath, ['both.mjs'], app));
    expect(fromRequire).toEqual(fromImport);
    expect(fromRequire.parsed).toEqual({ a: { b: 1, c: 2 } });
    for (const name of subpaths) expect(fromRequire[name], name).toBeGreaterThan(0);
  });

  it('type-checks from a CommonJS and an ES module TypeScript file (module nodenext)', async () => {
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          lib: ['es2024'],
          types: ['node'],
          typeRoots: [join(REPO, 'node_modules/@types')],
        },
        files: ['use.cts', 'use.mts'],
      }),
    );
    const body = `import { parse } from '@varstream/varstream';
import { connect } from '@varstream/client';
import { WebSocket } from 'ws';
const value: unknown = parse('a=1\\n');
export const doc = connect('ws://127.0.0.1:1/', { WebSocket });
export { value };
`;
    await writeFile(join(app, 'use.cts'), body);
    await writeFile(join(app, 'use.mts'), body);
    const result = await run(TSC, ['-p', 'tsconfig.json'], app);
    // ws ships no types: only that import may be reported.
    const errors = result.stdout.split('\n').filter((l) => l.includes('error TS'));
    expect(errors.filter((l) => !l.includes("'ws'"))).toEqual([]);
  });

  it('runs varstream-server from its bin and syncs a Node client to it', async () => {
    const bin = join(app, 'node_modules/.bin/varstream-server');
    const server = spawn(bin, ['--host', '127.0.0.1', '--port', '0'], {
      cwd: app,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    servers.push(server);
    let out = '';
    server.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    server.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const banner = /listening on (ws:\/\/127\.0\.0\.1:\d+\/)/;
    await until(() => banner.test(out) || server.exitCode !== null, 'the server to listen', 30_000);
    const url = banner.exec(out)?.[1];
    if (url === undefined) throw new Error(`varstream-server did not start:\n${out}`);
    const check = join(import.meta.dirname, 'install/sync-check.mjs');
    await writeFile(join(app, 'sync-check.mjs'), await readFile(check, 'utf8'));
    const seen = JSON.parse(await ok(process.execPath, ['sync-check.mjs', `${url}default`], app));
    expect(seen).toEqual({ path: 'form.firstname', value: 'Alice' });
    server.kill('SIGTERM');
    await until(() => server.exitCode !== null, 'the server to exit', 15_000);
    expect(server.exitCode).toBe(0);
  });

  it('npm pack refuses a package with workspace:* dependencies, saying what to run', async () => {
    const result = await run(
      'npm',
      ['pack', '--pack-destination', join(work, 'npm')],
      join(REPO, 'packages/server'),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('pnpm --filter @varstream/server pack');
    expect(await readdir(join(work, 'npm')).catch(() => [])).toEqual([]);
  });
});

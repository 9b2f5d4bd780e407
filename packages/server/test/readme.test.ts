import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapt, readmeSnippets, runModule } from '../../../scripts/lib/readme-snippets.mjs';
import { startRedis } from '../../../scripts/lib/test-redis.mjs';
import { USAGE } from '../src/cli/args.js';
import { tempDir } from './helpers/server.js';

// Every example of this README runs, as written, against the built package,
// with only the addresses a test may use: port 0 on 127.0.0.1, a temporary
// data directory.
const PACKAGE = resolve(import.meta.dirname, '..');
const REPO = resolve(PACKAGE, '../..');
const README = join(PACKAGE, 'README.md');
const DIR = join(PACKAGE, '.readme-snippets');
mkdirSync(DIR, { recursive: true });
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  rmSync(DIR, { recursive: true, force: true });
  for (const cleanup of cleanups) await cleanup();
});

const blocks = readmeSnippets(README);

describe('server README', () => {
  it('has the examples this test expects', () => {
    expect(blocks.map((b) => b.notRun)).toEqual([
      undefined,
      undefined,
      'API summary (signatures, not code)',
      undefined,
    ]);
  });

  it('the library example listens, hears its own write, and closes', async () => {
    const data = await tempDir();
    cleanups.push(data.remove);
    const code = adapt(blocks[0]!.code, [
      ['port: 8080', "port: 0, host: '127.0.0.1'"],
      ["'./data'", JSON.stringify(data.path)],
    ]);
    const file = join(DIR, 'library.mjs');
    writeFileSync(file, code);
    const run = await runModule(file, DIR);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/$/);
    expect(lines[1]).toBe('default 1 form.status=open');
  });

  it('the attach-to-your-server example starts and shuts down', async () => {
    const code = adapt(blocks[1]!.code, [
      ["httpServer.listen(8080, '127.0.0.1')", "httpServer.listen(0, '127.0.0.1')"],
    ]);
    const file = join(DIR, 'attach.mjs');
    writeFileSync(file, code);
    const run = await runModule(file, DIR);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
  });

  it('the Redis example connects, writes revision 1, and closes', async () => {
    const redis = await startRedis();
    cleanups.push(redis.remove);
    const code = adapt(blocks[3]!.code, [
      ['port: 8080', "port: 0, host: '127.0.0.1'"],
      ['redis://127.0.0.1:6379', redis.url],
    ]);
    const file = join(DIR, 'redis.mjs');
    writeFileSync(file, code);
    const run = await runModule(file, DIR);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('1\n');
  });

  // Regression: the table lacked --redis, --workers and --help.
  it('the CLI flag table lists the flags the CLI takes, each once', () => {
    const table = readFileSync(README, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `-'))
      .flatMap((line) => [...line.split('|')[1]!.matchAll(/--[a-z-]+/g)].map((m) => m[0]));
    const usage = [...USAGE.matchAll(/^ {2}(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]!);
    expect(usage.length).toBeGreaterThan(10);
    expect(table).toEqual(usage);
  });

  // Regression: `--init websockipc-vars.dat` named a file that is not there.
  it('the files the CLI examples name exist in the repository', () => {
    const text = readFileSync(README, 'utf8');
    const paths = [...text.matchAll(/(?:^|\s)((?:apps|packages)\/[\w./-]+)/g)].map((m) => m[1]!);
    expect(paths).toContain('apps/collab-form/seed/websockipc-vars.dat');
    expect(paths).toContain('packages/server/dist/cli/main.js');
    for (const path of paths) {
      // A build output (`<package>/dist/...`) exists once that package is
      // built, which this package's tests do not wait for: its package must
      // have a build. This package's own output is there (Turbo builds it
      // before its tests).
      const output = /^((?:apps|packages)\/[\w.-]+)\/dist(?:\/|$)/.exec(path);
      if (output !== null && !path.startsWith('packages/server/')) {
        const pkg = JSON.parse(readFileSync(join(REPO, output[1]!, 'package.json'), 'utf8')) as {
          scripts?: Record<string, string>;
        };
        expect(pkg.scripts?.build, `${path}: made by ${output[1]}'s build`).toBeDefined();
      } else expect(existsSync(join(REPO, path)), path).toBe(true);
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { VarStreamServer } from '@varstream/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapt, readmeSnippets, runModule } from '../../../../scripts/lib/readme-snippets.mjs';
import { startServer } from '../helpers/real-server.js';

// Every example of this README (and the client example of the repository's
// README) is type-checked by tsc against the built package, then run with
// Node.js against a real server on 127.0.0.1, port 0: the one address each
// example is adapted to. The browser example is type-checked here and run
// in Chromium by test/dom/readme.test.ts.
const PACKAGE = resolve(import.meta.dirname, '../..');
const DIR = join(PACKAGE, '.readme-snippets');
const TSC = join(PACKAGE, 'node_modules/.bin/tsc');

const client = readmeSnippets(join(PACKAGE, 'README.md'));
const root = readmeSnippets(join(PACKAGE, '../../README.md')).filter((b) =>
  b.code.includes("from '@varstream/client'"),
);

let server: VarStreamServer;
beforeAll(async () => {
  server = await startServer();
  mkdirSync(DIR, { recursive: true });
});
afterAll(async () => {
  await server?.close();
  rmSync(DIR, { recursive: true, force: true });
});

/** Writes `name.ts`, compiles it (strict, DOM and Node types) to `out/name.js`; tsc's complaints, if any. */
function compile(name: string, code: string): Promise<string> {
  writeFileSync(join(DIR, `${name}.ts`), code);
  writeFileSync(
    join(DIR, `tsconfig.${name}.json`),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        target: 'es2022',
        strict: true,
        lib: ['es2024', 'dom'],
        types: ['node'],
        outDir: 'out',
        skipLibCheck: true,
        noUnusedLocals: false,
      },
      files: [`${name}.ts`],
    }),
  );
  return new Promise((done) => {
    execFile(TSC, ['-p', `tsconfig.${name}.json`], { cwd: DIR }, (_error, stdout, stderr) =>
      done(`${stdout}${stderr}`),
    );
  });
}

describe('client README', () => {
  it('has the examples this test expects', () => {
    expect(client.map((b) => b.notRun)).toEqual([undefined, undefined, undefined]);
    expect(root).toHaveLength(1);
  });

  it('the browser example type-checks', async () => {
    expect(await compile('browser', client[0]!.code)).toBe('');
  });

  // Regression: the Node quick start subscribed after its `set`, so it printed nothing.
  it('the Node quick start prints the changes it makes', async () => {
    const code = adapt(client[1]!.code, [['ws://127.0.0.1:8080/', server.url]]);
    expect(await compile('node', code)).toBe('');
    const run = await runModule(join(DIR, 'out/node.js'), DIR);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('form.firstname Alice\n');
    expect(run.stdout).toContain('form.message  and more\n');
  });

  it('the typed example type-checks (its mistake included) and runs', async () => {
    const code = adapt(client[2]!.code, [['ws://127.0.0.1:8080/', server.url]]);
    expect(await compile('typed', code)).toBe('');
    const run = await runModule(join(DIR, 'out/typed.js'), DIR);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('done: true\n');
    expect(run.stdout).toContain('age: 12\n');
  });

  it("the repository README's client example runs", async () => {
    const code = adapt(root[0]!.code, [['ws://127.0.0.1:8787/', `${server.url}taste`]]);
    writeFileSync(join(DIR, 'taste.mjs'), code);
    const run = await runModule(join(DIR, 'taste.mjs'), DIR);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('form.firstname Alice\n');
    expect(run.stdout).toContain('form.message  more\n');
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsc = fileURLToPath(new URL('../../node_modules/.bin/tsc', import.meta.url));

/** Type-checks one fixture project against the built package's declarations. */
function typecheck(project: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      tsc,
      ['-p', `test/types/${project}/tsconfig.json`],
      { cwd: packageRoot },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

// Regression: `connect(url, { WebSocket })` failed under tsc with TS2322 for
// ws, the DOM's WebSocket and Node 22's global, and callers cast around it.
describe("connect's WebSocket option, compiled by tsc against the real declarations", () => {
  it('accepts ws (and a subclass) and Node 22 global WebSocket in a Node project', async () => {
    expect(await typecheck('node')).toEqual({ code: 0, output: '' });
  });

  it("accepts the DOM's WebSocket (and a subclass) in a browser project", async () => {
    expect(await typecheck('dom')).toEqual({ code: 0, output: '' });
  });
});

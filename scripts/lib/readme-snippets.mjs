// The JavaScript and TypeScript examples of a README, as the tests run them
// (each package's test/readme.test.ts): every ```js / ```ts block is a
// complete module. A block right after `<!-- not run: <reason> -->` (an API
// summary, say) is listed with its reason instead of run.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

const FENCE = /^```(\w*)\s*$/;
const RUNNABLE = new Set(['js', 'mjs', 'ts']);

/**
 * The code blocks of `file`: `{ line, lang, code, notRun }`, `line` being the
 * 1-based line of the opening fence, `notRun` the reason given, if any.
 */
export function readmeSnippets(file) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]);
    if (open === null) continue;
    const start = i;
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end])) end++;
    i = end;
    if (!RUNNABLE.has(open[1])) continue;
    let before = start - 1;
    while (before >= 0 && lines[before].trim() === '') before--;
    const marker = /^<!-- not run: (.+) -->$/.exec(lines[before] ?? '');
    blocks.push({
      line: start + 1,
      lang: open[1],
      code: lines.slice(start + 1, end).join('\n'),
      notRun: marker?.[1],
    });
  }
  return blocks;
}

/**
 * A block made ready to run in a test: each `[from, to]` of `replacements`
 * applied (every occurrence, and each must occur: a README that no longer
 * says it makes the test say so).
 */
export function adapt(code, replacements) {
  let out = code;
  for (const [from, to] of replacements) {
    if (!out.includes(from)) throw new Error(`the example no longer contains ${from}`);
    out = out.split(from).join(to);
  }
  return out;
}

/**
 * Runs a module with Node.js from `dir` (where it was written, so that the
 * packages resolve as they would in a project). Resolves with the exit code
 * and the output; a run that hangs is killed after `timeoutMs`.
 */
export function runModule(file, dir, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [file],
      { cwd: dir, timeout: timeoutMs, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

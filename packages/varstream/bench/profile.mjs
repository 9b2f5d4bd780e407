// `pnpm bench:profile [set] [seconds]`: where stringify's time goes. Runs
// stringify on one bench set (default compare/stats) in a child process
// under the V8 CPU profiler and prints the self time of each function, the
// heaviest first. A measurement, never a test.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataSets } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const [, , setName = 'compare/stats', seconds = '5', child] = process.argv;

if (child === '--child') {
  const { stringify } = await import(join(here, '../dist/index.js'));
  const set = dataSets().find((s) => s.name === setName);
  const end = performance.now() + Number(seconds) * 1000;
  let calls = 0;
  while (performance.now() < end) {
    const text = stringify(set.value);
    text.charCodeAt(text.length >> 1); // read, as a consumer would
    calls++;
  }
  console.log(`${setName}: ${calls} calls`);
} else {
  if (!dataSets().some((s) => s.name === setName)) {
    console.error(
      `No set named ${setName}: ${dataSets()
        .map((s) => s.name)
        .join(', ')}`,
    );
    process.exit(1);
  }
  const dir = mkdtempSync(join(tmpdir(), 'varstream-profile-'));
  try {
    const args = ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--single-threaded-gc'];
    process.stdout.write(
      execFileSync(process.execPath, [
        ...args,
        fileURLToPath(import.meta.url),
        setName,
        seconds,
        '--child',
      ]),
    );
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    printSelfTimes(JSON.parse(readFileSync(join(dir, file), 'utf8')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Self time per function (name, file and line), over the whole profile, as percentages. */
function printSelfTimes(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
  for (const [name, time] of rows) {
    console.log(`${((time / total) * 100).toFixed(1).padStart(5)} %  ${name}`);
  }
}

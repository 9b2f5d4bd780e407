// `pnpm bench:stringify [--against=<dist dir>] [--only=<name>] [--rounds=N]`:
// stringify / JSON.stringify on every bench set, in CPU time (steadier
// than wall time on a loaded machine), the median of N interleaved rounds.
// With --against, another build (a copy of an older dist/) is measured in
// the same rounds: a before/after from one process. A measurement, never a test.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataSets } from './data.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = Number(arg('rounds') ?? 15);
const only = arg('only');
const againstDir = arg('against');
const gc = globalThis.gc;
if (gc === undefined) {
  console.error('Run with node --expose-gc (pnpm bench:stringify does).');
  process.exit(1);
}

const load = async (dir) => {
  const file = join(resolve(dir), 'index.js');
  if (!existsSync(file)) throw new Error(`${file} is missing (run pnpm build)`);
  return (await import(file)).stringify;
};
const current = await load(join(here, '../dist'));
const against = againstDir === undefined ? undefined : await load(againstDir);

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
/** A written string is read once, as a consumer would (a rope is made flat). */
const read = (text) => text.charCodeAt(text.length >> 1);

const head = ['Set', 'JSON.stringify (CPU)', 'stringify / JSON'];
if (against !== undefined) head.push('before / JSON');
console.log(`| ${head.join(' | ')} |`);
console.log(`| ${head.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`);
for (const { name, value } of dataSets()) {
  if (only !== undefined && !name.includes(only)) continue;
  const fns = { json: () => read(JSON.stringify(value)), now: () => read(current(value)) };
  if (against !== undefined) fns.before = () => read(against(value));
  // Enough calls per sample for about 40 ms.
  const reps = {};
  for (const [key, fn] of Object.entries(fns)) {
    const start = performance.now();
    let calls = 0;
    do {
      fn();
      calls++;
    } while (performance.now() - start < 100);
    reps[key] = Math.max(1, Math.round((calls * 40) / (performance.now() - start)));
  }
  const ratios = { now: [], before: [] };
  const json = [];
  for (let round = 0; round < rounds; round++) {
    const ms = {};
    for (const [key, fn] of Object.entries(fns)) {
      gc();
      const start = cpuMs();
      for (let i = 0; i < reps[key]; i++) fn();
      ms[key] = (cpuMs() - start) / reps[key];
    }
    json.push(ms.json);
    ratios.now.push(ms.now / ms.json);
    if (against !== undefined) ratios.before.push(ms.before / ms.json);
  }
  const jsonMs = median(json);
  const row = [
    name,
    jsonMs < 1 ? `${(jsonMs * 1000).toPrecision(3)} µs` : `${jsonMs.toPrecision(3)} ms`,
    `${median(ratios.now).toFixed(2)}×`,
  ];
  if (against !== undefined) row.push(`${median(ratios.before).toFixed(2)}×`);
  console.log(`| ${row.join(' | ')} |`);
}

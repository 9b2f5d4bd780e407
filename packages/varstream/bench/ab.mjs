// A/B: the same workload on two builds of the codec, to tell a real change
// of speed from the machine's noise. Each pair of fresh child processes (one
// per build, GC on the main thread) runs rounds in turn, A then B then A...,
// timed in CPU time, so that a busy moment costs both and another process's
// load costs neither; the figure is the median, over every round, of B's
// time over A's.
//
//   node bench/ab.mjs <distA> <distB> [parse|apply|read|stringify] [pairs] [set name part]
//
// e.g. build an older commit into /tmp/dist-old (git worktree add, pnpm
// build), then `node bench/ab.mjs /tmp/dist-old dist parse`.

import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const MODES = ['parse', 'apply', 'read', 'stringify'];
const ROUNDS = 8;
const ROUND_MS = 250;

if (process.send === undefined) await main();
else await child();

async function main() {
  const [distA, distB, mode = 'parse', pairsText = '8', only = ''] = process.argv.slice(2);
  const pairs = Number(pairsText);
  if (!distA || !distB || !MODES.includes(mode) || !(pairs >= 1)) {
    console.error(
      `usage: node bench/ab.mjs <distA> <distB> [${MODES.join('|')}] [pairs] [set name part]`,
    );
    process.exit(2);
  }
  const { dataSets } = await import('./data.mjs');
  const names = dataSets()
    .map((set) => set.name)
    .filter((name) => name.includes(only));
  console.log(`B/A time, ${mode}: ${resolve(distB)} over ${resolve(distA)} (< 1: B is faster)`);
  const all = [];
  for (const name of names) {
    const ratios = [];
    for (let p = 0; p < pairs; p++) {
      const a = start(distA, mode, name);
      const b = start(distB, mode, name);
      for (let r = 0; r < ROUNDS; r++) {
        const ta = await round(a);
        const tb = await round(b);
        ratios.push(tb / ta);
      }
      a.kill();
      b.kill();
    }
    const m = median(ratios);
    all.push(m);
    console.log(
      `${name.padEnd(28)} ${m.toFixed(3)}  (quartiles ${quantile(ratios, 0.25).toFixed(3)}-${quantile(ratios, 0.75).toFixed(3)})`,
    );
  }
  console.log(
    `${'geometric mean'.padEnd(28)} ${Math.exp(all.reduce((s, r) => s + Math.log(r), 0) / all.length).toFixed(3)}`,
  );
}

function start(dist, mode, name) {
  const url = pathToFileURL(resolve(dist, 'index.js')).href;
  return fork(fileURLToPath(import.meta.url), [url, mode, name], {
    execArgv: ['--single-threaded-gc'],
  });
}

/** Asks the child for one round; resolves to the CPU time per operation, in ms. */
function round(child) {
  return new Promise((ok, fail) => {
    child.once('message', ok);
    child.once('error', fail);
    child.once('exit', (code) =>
      fail(new Error(`the ${child.spawnargs.at(-2)} child exited (${code})`)),
    );
    child.send('round');
  });
}

function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function child() {
  const [url, mode, name] = process.argv.slice(2);
  const codec = await import(url);
  const { dataSets } = await import('./data.mjs');
  const set = dataSets().find((s) => s.name === name);
  const text = set.value === undefined ? set.text : codec.stringify(set.value);
  const op = operation(codec, mode, set.value, text);
  op(); // the first run compiles
  process.on('message', () => {
    let n = 0;
    const t0 = cpuMs();
    let t = t0;
    while (t - t0 < ROUND_MS) {
      op();
      n++;
      t = cpuMs();
    }
    process.send((t - t0) / n);
  });
}

function operation(codec, mode, value, text) {
  if (mode === 'parse') return () => codec.parse(text);
  if (mode === 'stringify') return () => codec.stringify(value);
  const statements = read(codec, text).readAll();
  if (mode === 'read') return () => read(codec, text).readAll();
  return () => {
    const tree = new codec.Tree();
    for (const statement of statements) tree.applyQuiet(statement);
  };
}

function read(codec, text) {
  const reader = new codec.Reader();
  reader.end(text);
  return reader;
}

function median(values) {
  return quantile(values, 0.5);
}

function quantile(values, q) {
  const sorted = [...values].sort((x, y) => x - y);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

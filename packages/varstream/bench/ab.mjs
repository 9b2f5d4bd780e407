// A/B: the same workload on two builds of the codec, to tell a real change
// of speed from the machine's noise. Each pair of fresh worker threads (one
// per build) runs rounds in turn, A then B then A..., so that a busy moment
// costs both; the figure is the median, over every round, of B's time over
// A's. Two copies of the same build measure 0.99-1.03 on a busy 2-core machine.
//
//   node bench/ab.mjs <distA> <distB> [parse|apply|read|stringify] [pairs]
//
// e.g. build an older commit into /tmp/dist-old (git worktree add, pnpm
// build), then `node bench/ab.mjs /tmp/dist-old dist parse`.

import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const MODES = ['parse', 'apply', 'read', 'stringify'];
const ROUNDS = 8;
const ROUND_MS = 250;

if (isMainThread) await main();
else await worker();

async function main() {
  const [distA, distB, mode = 'parse', pairsText = '8'] = process.argv.slice(2);
  const pairs = Number(pairsText);
  if (!distA || !distB || !MODES.includes(mode) || !(pairs >= 1)) {
    console.error(`usage: node bench/ab.mjs <distA> <distB> [${MODES.join('|')}] [pairs]`);
    process.exit(2);
  }
  const { dataSets } = await import('./data.mjs');
  const names = dataSets().map((set) => set.name);
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
      await Promise.all([a.terminate(), b.terminate()]);
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
  return new Worker(new URL(import.meta.url), { workerData: { url, mode, name } });
}

/** Asks the worker for one round; resolves to the time per operation, in ms. */
function round(w) {
  return new Promise((ok, fail) => {
    w.once('message', ok);
    w.once('error', fail);
    w.postMessage('round');
  });
}

async function worker() {
  const { url, mode, name } = workerData;
  const codec = await import(url);
  const { dataSets } = await import('./data.mjs');
  const set = dataSets().find((s) => s.name === name);
  const text = set.value === undefined ? set.text : codec.stringify(set.value);
  const op = operation(codec, mode, set.value, text);
  op(); // the first run compiles
  parentPort.on('message', () => {
    let n = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < ROUND_MS) {
      op();
      n++;
      t = performance.now();
    }
    parentPort.postMessage((t - t0) / n);
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

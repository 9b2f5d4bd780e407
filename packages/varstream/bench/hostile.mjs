// Hostile inputs: the shapes varstream 0.3.2 chokes on. Each case builds its
// input for a size `n`; the 0.3.2 side runs in a worker (this file is also
// the worker's entry) so that a run that takes minutes can be abandoned.

import { createRequire } from 'node:module';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export const cases = [
  {
    name: 'one 200 000-character key',
    size: 200_000,
    ladder: [2_000, 8_000, 32_000, 200_000],
    unit: 'characters',
    text: (n) => `${'k'.repeat(n)}=1\n`,
    value: (n) => ({ ['k'.repeat(n)]: 1 }),
  },
  {
    name: 'a 100 000-segment path',
    size: 100_000,
    ladder: [1_000, 4_000, 16_000, 100_000],
    unit: 'segments',
    limits: { maxPathDepth: 100_000 },
    text: (n) => `${'a.'.repeat(n - 1)}a=1\n`,
    value: (n) => {
      let node = 1;
      for (let i = 0; i < n; i++) node = { a: node };
      return node;
    },
  },
  {
    name: 'writing 160 000 objects',
    size: 160_000,
    ladder: [10_000, 40_000, 160_000],
    unit: 'objects',
    value: (n) => ({ list: Array.from({ length: n }, (_, i) => ({ i, name: `n${i}` })) }),
  },
  {
    name: 'a sparse array of length 2³²−1 (3 elements)',
    size: 2 ** 32 - 1,
    ladder: [100_000, 1_000_000, 10_000_000, 2 ** 32 - 1],
    unit: 'length',
    value: (n) => {
      const a = [];
      a.length = n;
      a[0] = 'first';
      a[Math.floor(n / 2)] = 'middle';
      a[n - 1] = 'last';
      return { a };
    },
  },
];

// Worker side: one 0.3.2 call on the case's input of size n.
if (!isMainThread && workerData?.hostile === true) {
  process.noDeprecation = true;
  const VarStream = createRequire(import.meta.url)('varstream');
  const c = cases[workerData.index];
  const n = workerData.n;
  let run;
  if (workerData.op === 'parse') {
    const text = c.text(n);
    run = () => VarStream.parse(text);
  } else {
    const value = c.value(n);
    run = () => VarStream.stringify(value);
  }
  try {
    const t0 = performance.now();
    run();
    parentPort.postMessage({ ms: performance.now() - t0 });
  } catch (error) {
    parentPort.postMessage({ error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` });
  }
}

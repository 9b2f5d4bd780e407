// Timing helpers: warm-up, then several samples, median time per call.

import { Worker } from 'node:worker_threads';

const now = () => performance.now();
const gc = globalThis.gc ?? (() => {});

/**
 * Median milliseconds per call of `fn`. Warms up for about `warmMs`, then takes
 * samples of enough calls to last `sampleMs` each (7 samples, 3 for calls
 * slower than half a second), collecting garbage before each sample so that
 * one function does not pay for the garbage of another.
 */
export function measure(fn, { warmMs = 150, sampleMs = 40 } = {}) {
  const start = now();
  let runs = 0;
  do {
    fn();
    runs++;
  } while (now() - start < warmMs && runs < 10_000);
  const per = (now() - start) / runs;
  const reps = Math.max(1, Math.round(sampleMs / Math.max(per, 1e-4)));
  const count = per > 500 ? 3 : 7;
  const samples = [];
  for (let s = 0; s < count; s++) {
    gc();
    const t0 = now();
    for (let r = 0; r < reps; r++) fn();
    samples.push((now() - t0) / reps);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

/** Time of one call in a worker, or `{ timeout: true }` past `timeoutMs`, or `{ error }`. */
export function timeInWorker(url, task, timeoutMs) {
  return new Promise((resolve) => {
    const worker = new Worker(url, { workerData: task, stderr: true, stdout: true });
    const timer = setTimeout(() => {
      worker.terminate();
      resolve({ timeout: true });
    }, timeoutMs);
    worker.once('message', (result) => {
      clearTimeout(timer);
      worker.terminate();
      resolve(result);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve({ error: String(error?.message ?? error).slice(0, 60) });
    });
  });
}

/** `12.3 ms`, `456 µs`, `1.23 s`: three significant digits. */
export function formatMs(ms) {
  if (ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

export function formatRatio(r) {
  if (r === undefined || !Number.isFinite(r)) return '–';
  return r >= 100 ? `${Math.round(r)}×` : `${r.toPrecision(3)}×`;
}

export function formatBytes(n) {
  return n.toLocaleString('en-US');
}

// Timing helpers: warm-up, then several samples, median time per call.

import { Worker } from 'node:worker_threads';

const now = () => performance.now();
const gc = globalThis.gc ?? (() => {});

/**
 * Median milliseconds per call of `fn`. Warms up for about `warmMs`, then takes
 * samples of enough calls to last `sampleMs` each (11 samples, 3 for calls
 * slower than half a second), collecting garbage before each sample so that
 * one function does not pay for the garbage of another.
 */
export function measure(fn, options = {}) {
  return measureAll({ fn }, options).fn;
}

/**
 * `measure` for several functions at once, their samples interleaved so that
 * a change of the machine's load during the run weighs on all of them alike.
 * Returns the median milliseconds per call of each, by name.
 */
export function measureAll(fns, { warmMs = 150, sampleMs = 30 } = {}) {
  const names = Object.keys(fns);
  const reps = {};
  const samples = {};
  for (const name of names) {
    const fn = fns[name];
    const start = now();
    let runs = 0;
    do {
      fn();
      runs++;
    } while (now() - start < warmMs && runs < 10_000);
    const per = (now() - start) / runs;
    reps[name] = Math.max(1, Math.round(sampleMs / Math.max(per, 1e-4)));
    samples[name] = { count: per > 500 ? 3 : 11, times: [] };
  }
  for (let round = 0; round < 11; round++) {
    for (const name of names) {
      const s = samples[name];
      if (s.times.length >= s.count) continue;
      const fn = fns[name];
      gc();
      const t0 = now();
      for (let r = 0; r < reps[name]; r++) fn();
      s.times.push((now() - t0) / reps[name]);
    }
  }
  const out = {};
  for (const name of names) {
    const times = samples[name].times.sort((a, b) => a - b);
    out[name] = times[Math.floor(times.length / 2)];
  }
  return out;
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

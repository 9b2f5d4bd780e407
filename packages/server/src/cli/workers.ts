import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log/logger.js';

/** Fastest restart of a worker that died (a worker dying in a loop is restarted at most this often). */
const RESTART_MS = 1_000;

/**
 * `--workers N`: this (primary) process forks N copies of itself that all
 * listen on the same port (node:cluster hands connections out) and share
 * documents through Redis. Prints the banner of the first worker to listen;
 * restarts a worker that dies once it has served (one that dies before it
 * ever listened stops them all: exit code 1); on SIGINT/SIGTERM stops them
 * all gracefully. Resolves with the exit code.
 */
export function runWorkers(count: number, logger: Logger, stdio: boolean): Promise<number> {
  let stopping = false;
  let bannerShown = false;
  const lastStart = new Map<number, number>();
  const fork = (index: number): void => {
    const worker = cluster.fork({ VARSTREAM_WORKER: String(index) });
    lastStart.set(index, Date.now());
    worker.on('message', (message: unknown) => {
      if (bannerShown || typeof message !== 'object' || message === null) return;
      const banner = (message as { banner?: unknown }).banner;
      if (typeof banner !== 'string') return;
      bannerShown = true;
      (stdio ? process.stderr : process.stdout).write(
        banner.replace('\n', ` (${count} workers)\n`),
      );
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      if (!bannerShown) {
        // It never listened (Redis unreachable, port taken, bad options): the others would fail alike.
        logger.error('worker failed to start: stopping', { worker: index, code, signal });
        stopAll('SIGTERM', 1);
        return;
      }
      logger.error('worker died: restarting it', { worker: index, code, signal });
      const wait = Math.max(0, RESTART_MS - (Date.now() - (lastStart.get(index) ?? 0)));
      setTimeout(() => {
        if (!stopping) fork(index);
      }, wait);
    });
  };
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const stopAll = (signal: NodeJS.Signals, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down workers', { signal });
    const workers = Object.values(cluster.workers ?? {}).filter(
      (worker): worker is Worker => worker !== undefined && !worker.isDead(),
    );
    let left = workers.length;
    if (left === 0) finish(code);
    for (const worker of workers) {
      worker.once('exit', () => {
        if (--left === 0) finish(code);
      });
      worker.process.kill('SIGTERM');
    }
  };
  process.once('SIGINT', (signal) => stopAll(signal, 0));
  process.once('SIGTERM', (signal) => stopAll(signal, 0));
  for (let i = 1; i <= count; i++) fork(i);
  return done;
}

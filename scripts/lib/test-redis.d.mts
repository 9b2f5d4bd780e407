/** A redis-server of the test's own, on 127.0.0.1 and a free port, with its data in a temp dir. */
export interface TestRedis {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGKILL with `crash`), keeps its data directory. */
  stop(crash?: boolean): Promise<void>;
  /**
   * Starts it again on the same port and data (the append-only file), or
   * with `empty`, without its data (a Redis that lost everything).
   */
  restart(options?: { empty?: boolean }): Promise<void>;
  /** Freezes it (SIGSTOP): a Redis that stops answering, its connections open. */
  pause(): void;
  /** Lets a paused one run again (SIGCONT): it answers what it was sent meanwhile. */
  resume(): void;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}
export function startRedis(): Promise<TestRedis>;
/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number>;
/** redis-server's arguments: 127.0.0.1 only, no RDB saves, an append-only file in `dir` (fsync `always` unless told). */
export function redisServerArgs(
  port: number,
  dir: string,
  fsync?: 'always' | 'everysec' | 'no',
): string[];

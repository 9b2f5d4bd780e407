import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The Redis path's Prometheus metrics (registered only with `redis`, in the server's registry). */
export class RedisMetrics {
  /** Log entries appended by this node, `ok` or `error` (Redis did not take them). */
  readonly appends: Counter<'result'>;
  /** Latency of one append call (the entries of one event-loop turn). */
  readonly appendSeconds: Histogram;
  /** Log entries applied (from every node). */
  readonly applied: Counter;
  /** Snapshots this node stored in Redis. */
  readonly snapshots: Counter;
  /** Documents loaded again: `gap` (entries trimmed or lost under it), `lost` (Redis lost the document). */
  readonly reloads: Counter<'reason'>;

  constructor(registry: Registry, up: () => boolean) {
    const registers = [registry];
    new Gauge({
      name: 'varstream_redis_up',
      help: '1 while this node can send commands to Redis',
      registers,
      collect() {
        this.set(up() ? 1 : 0);
      },
    });
    this.appends = new Counter({
      name: 'varstream_redis_appends_total',
      help: 'Log entries appended by this node, by result',
      labelNames: ['result'],
      registers,
    });
    this.appendSeconds = new Histogram({
      name: 'varstream_redis_append_seconds',
      help: 'Latency of one append (the entries of one event-loop turn)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.applied = new Counter({
      name: 'varstream_redis_entries_applied_total',
      help: 'Log entries applied by this node (from every node)',
      registers,
    });
    this.snapshots = new Counter({
      name: 'varstream_redis_snapshots_total',
      help: 'Snapshots this node stored in Redis',
      registers,
    });
    this.reloads = new Counter({
      name: 'varstream_redis_reloads_total',
      help: 'Documents loaded again after a gap in their log or a loss in Redis',
      labelNames: ['reason'],
      registers,
    });
  }
}

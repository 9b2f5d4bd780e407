import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type Registry as PromRegistry,
  Registry,
} from 'prom-client';

/** Hot-path counts, kept as plain numbers and handed to Prometheus when it scrapes. */
export interface Counts {
  bytesIn: number;
  bytesOut: number;
  framesIn: number;
  framesOut: number;
  /** Frames built by a flush and sent to many clients (one Buffer each). */
  broadcastFrames: number;
  /** Frames a flush built for one client (its welcome held some of the flush's revisions). */
  memberFrames: number;
  /** Revisions delivered, counted once per recipient. */
  deliveries: number;
}

export interface MetricsSources {
  connections(): number;
  documents(): number;
}

/** The server's Prometheus metrics, in a registry of their own (never the global one). */
export class ServerMetrics {
  readonly registry: PromRegistry;
  readonly counts: Counts = {
    bytesIn: 0,
    bytesOut: 0,
    framesIn: 0,
    framesOut: 0,
    broadcastFrames: 0,
    memberFrames: 0,
    deliveries: 0,
  };
  readonly connectionsOpened: Counter;
  readonly connectionsClosed: Counter<'code'>;
  readonly changesAccepted: Counter;
  readonly changesRejected: Counter<'code'>;
  readonly duplicates: Counter;
  readonly slowConsumers: Counter;
  readonly inputPaced: Counter;
  readonly documentsUnloaded: Counter;
  readonly flushes: Counter;
  readonly batchRevisions: Histogram;
  readonly fsyncSeconds: Histogram;
  readonly journalBytes: Counter;
  readonly compactions: Counter<'result'>;
  readonly compactionSeconds: Histogram;
  readonly snapshotsSent: Counter;
  readonly replaysSent: Counter;
  readonly storageRecoveries: Counter<'kind'>;

  constructor(sources: MetricsSources, options: { defaultMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    const registers = [registry];
    const counts = this.counts;
    new Gauge({
      name: 'varstream_connections',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(sources.connections());
      },
    });
    new Gauge({
      name: 'varstream_documents',
      help: 'Documents loaded in memory',
      registers,
      collect() {
        this.set(sources.documents());
      },
    });
    const lazyCounter = (name: string, help: string, read: () => number) => {
      let reported = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const now = read();
          if (now > reported) this.inc(now - reported);
          reported = now;
        },
      });
    };
    lazyCounter(
      'varstream_bytes_in_total',
      'Bytes received in WebSocket frames',
      () => counts.bytesIn,
    );
    lazyCounter(
      'varstream_bytes_out_total',
      'Bytes sent in WebSocket frames',
      () => counts.bytesOut,
    );
    lazyCounter('varstream_frames_in_total', 'WebSocket frames received', () => counts.framesIn);
    lazyCounter('varstream_frames_out_total', 'WebSocket frames sent', () => counts.framesOut);
    lazyCounter(
      'varstream_broadcast_frames_total',
      'Frames built once per flush and sent to every client of a document',
      () => counts.broadcastFrames,
    );
    lazyCounter(
      'varstream_member_frames_total',
      'Frames a flush built for one client (its welcome held some of the revisions)',
      () => counts.memberFrames,
    );
    lazyCounter(
      'varstream_deliveries_total',
      'Revisions delivered, counted once per recipient',
      () => counts.deliveries,
    );
    this.connectionsOpened = new Counter({
      name: 'varstream_connections_opened_total',
      help: 'WebSocket connections accepted',
      registers,
    });
    this.connectionsClosed = new Counter({
      name: 'varstream_connections_closed_total',
      help: 'WebSocket connections closed, by close code',
      labelNames: ['code'],
      registers,
    });
    this.changesAccepted = new Counter({
      name: 'varstream_changes_accepted_total',
      help: 'Changes accepted (revisions created)',
      registers,
    });
    this.changesRejected = new Counter({
      name: 'varstream_changes_rejected_total',
      help: 'Changes rejected, by error code',
      labelNames: ['code'],
      registers,
    });
    this.duplicates = new Counter({
      name: 'varstream_changes_duplicate_total',
      help: 'Changes re-sent with an id already applied (acknowledged, not applied again)',
      registers,
    });
    this.slowConsumers = new Counter({
      name: 'varstream_slow_consumers_total',
      help: 'Clients dropped for not reading fast enough (4503)',
      registers,
    });
    this.inputPaced = new Counter({
      name: 'varstream_input_paced_total',
      help: 'Times a connection was not read for a while: over its maxLinesPerSecond or maxBytesInPerSecond',
      registers,
    });
    this.documentsUnloaded = new Counter({
      name: 'varstream_documents_unloaded_total',
      help: 'Documents written, closed and dropped from memory: idle for documentIdleMs, or the memory budget was reached',
      registers,
    });
    this.flushes = new Counter({
      name: 'varstream_flushes_total',
      help: 'Batches flushed to clients',
      registers,
    });
    this.batchRevisions = new Histogram({
      name: 'varstream_batch_revisions',
      help: 'Revisions per flushed batch',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      registers,
    });
    this.fsyncSeconds = new Histogram({
      name: 'varstream_journal_fsync_seconds',
      help: 'Journal fsync latency',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.journalBytes = new Counter({
      name: 'varstream_journal_bytes_written_total',
      help: 'Bytes appended to journals',
      registers,
    });
    this.compactions = new Counter({
      name: 'varstream_compactions_total',
      help: 'Journal compactions into snapshots, by result',
      labelNames: ['result'],
      registers,
    });
    this.compactionSeconds = new Histogram({
      name: 'varstream_compaction_seconds',
      help: 'Duration of a compaction (snapshot written, journal switched)',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
      registers,
    });
    this.snapshotsSent = new Counter({
      name: 'varstream_welcome_snapshots_total',
      help: 'Welcomes carrying a full snapshot',
      registers,
    });
    this.replaysSent = new Counter({
      name: 'varstream_welcome_replays_total',
      help: 'Welcomes carrying a replay from the resume log',
      registers,
    });
    this.storageRecoveries = new Counter({
      name: 'varstream_storage_recoveries_total',
      help: 'Documents loaded without part of what was stored (set aside, history lost, new epoch), by what was unreadable: snapshot, journal (corrupt data) or torn (an unfinished last record)',
      labelNames: ['kind'],
      registers,
    });
    if (options.defaultMetrics === true) {
      collectDefaultMetrics({ register: registry, prefix: 'varstream_' });
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

import { CloseCode } from '@varstream/protocol';
import type { MemoryBudget } from '../limits/memory-budget.js';
import type { Logger } from '../log/logger.js';
import type { ServerMetrics } from '../metrics/metrics.js';

/** A connection as the guard sees it. */
export interface GuardedConnection {
  readonly id: string;
  /** Bytes queued for it alone. */
  readonly backlog: number;
  /** Bytes of a message it is still sending. */
  readonly incoming: number;
  /** Measures `incoming` again. */
  refreshIncoming(): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

export interface MemoryGuardDeps {
  readonly budget: MemoryBudget;
  readonly maxIncomingBytes: number;
  connections(): Iterable<GuardedConnection>;
  /** Unloads every document without members (with a data directory); returns how many. */
  unloadIdle(): number;
  readonly metrics: ServerMetrics;
  readonly logger: Logger;
}

/** How often the guard looks at the estimate. */
const CHECK_MS = 1_000;
/** Shortest time between two checks asked for (each walks every connection). */
const MIN_GAP_MS = 100;
/** A client with less than this queued is not dropped for the budget: it is reading. */
const HEAVY_BACKLOG = 1024 * 1024;

/**
 * Keeps the server under `maxMemoryBytes` where waiting cannot: once a
 * second (and whenever asked) it measures again what each connection holds
 * of messages still arriving (inflated fragments show up after the read that
 * brought them; past `maxIncomingBytes` the largest holders are cut), and
 * when the estimate is over the budget, it
 * unloads the documents nobody is connected to, then drops the clients with
 * the most bytes queued (over 1 MiB) with 4503, largest first, until the
 * estimate is back under. Growing documents and loading new ones are
 * refused elsewhere while the budget is reached (SERVER_FULL, 503, 1013).
 */
export class MemoryGuard {
  readonly #deps: MemoryGuardDeps;
  readonly #timer: NodeJS.Timeout;
  #warned = false;
  #last = Number.NEGATIVE_INFINITY;

  constructor(deps: MemoryGuardDeps) {
    this.#deps = deps;
    this.#timer = setInterval(() => this.check(), CHECK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Checks now, unless a check ran less than MIN_GAP_MS ago (what a flood of upgrades would cost). */
  checkSoon(): void {
    if (performance.now() - this.#last >= MIN_GAP_MS) this.check();
  }

  check(): void {
    this.#last = performance.now();
    const { budget, logger, metrics } = this.#deps;
    for (const connection of this.#deps.connections()) connection.refreshIncoming();
    if (!budget.over(true)) {
      this.#warned = false;
      return;
    }
    if (!this.#warned) {
      logger.warn('memory budget reached (maxMemoryBytes)', {
        used: budget.used(),
        max: budget.max,
      });
      this.#warned = true;
    }
    if (this.#deps.unloadIdle() > 0 && !budget.over(true)) return;
    let used = budget.used(true);
    const heavy = [...this.#deps.connections()]
      .filter((c) => c.backlog > HEAVY_BACKLOG)
      .sort((a, b) => b.backlog - a.backlog);
    for (const connection of heavy) {
      if (used < budget.max) break;
      used -= connection.backlog;
      metrics.slowConsumers.inc();
      logger.warn('slow consumer dropped: memory budget reached', {
        conn: connection.id,
        backlog: connection.backlog,
      });
      connection.close(CloseCode.SLOW_CONSUMER, 'Too slow while the server is short of memory');
    }
  }

  /**
   * Incoming messages not complete passed `maxIncomingBytes`: the
   * connections holding the most are cut until the total is under again.
   */
  incomingOverflow(): void {
    const { budget, maxIncomingBytes, logger } = this.#deps;
    const holders = [...this.#deps.connections()]
      .filter((c) => c.incoming > 0)
      .sort((a, b) => b.incoming - a.incoming);
    let total = budget.incoming;
    for (const connection of holders) {
      if (total <= maxIncomingBytes) break;
      total -= connection.incoming;
      logger.warn('connection cut: too many unfinished incoming messages (maxIncomingBytes)', {
        conn: connection.id,
        incoming: connection.incoming,
      });
      // Mid-message, no close handshake can complete: the close frame, then the cut.
      connection.close(CloseCode.MESSAGE_TOO_BIG, 'Unfinished messages above maxIncomingBytes');
      connection.terminate();
    }
  }
}

import type { Logger } from '../log/logger.js';
import type { DocumentReplica } from './document-replica.js';
import type { RedisLink } from './redis-link.js';

/**
 * Tells the other nodes this one is alive (a key that expires after
 * `ttlMs`, refreshed three times as often), and removes the connections of
 * nodes that stopped: for each, one `nodeGone` entry in the log of each
 * document where they had connections, so that every replica forgets them
 * (their presence, their `^` context) at the same place in the log.
 *
 * Each refresh also runs `check` (the registry verifies that Redis still
 * holds its documents).
 *
 * A node only judges others once its own key has been refreshed without a
 * failure for a whole `ttlMs` (after Redis was unreachable, every live node
 * has had the time to refresh its key).
 */
export class NodeLiveness {
  readonly #link: RedisLink;
  readonly #node: string;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  readonly #replicas: () => Iterable<DocumentReplica>;
  readonly #check: () => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  /** Since when every refresh succeeded (undefined: the last one failed). */
  #upSince: number | undefined;
  #ticks = 0;

  constructor(
    link: RedisLink,
    node: string,
    ttlMs: number,
    logger: Logger,
    replicas: () => Iterable<DocumentReplica>,
    check: () => Promise<void>,
  ) {
    this.#link = link;
    this.#node = node;
    this.#ttlMs = ttlMs;
    this.#logger = logger;
    this.#replicas = replicas;
    this.#check = check;
  }

  async start(): Promise<void> {
    await this.#link.heartbeat(this.#node, this.#ttlMs);
    this.#upSince = Date.now();
    this.#timer = setInterval(() => void this.#tick(), Math.max(10, this.#ttlMs / 3));
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #tick(): Promise<void> {
    try {
      await this.#link.heartbeat(this.#node, this.#ttlMs);
      this.#upSince ??= Date.now();
    } catch {
      this.#upSince = undefined;
      return;
    }
    for (const replica of this.#replicas()) replica.retry();
    await this.#check();
    if (++this.#ticks % 2 === 0 && Date.now() - this.#upSince >= this.#ttlMs) {
      await this.#sweep().catch((err: unknown) =>
        this.#logger.debug('liveness sweep failed', { error: err }),
      );
    }
  }

  async #sweep(): Promise<void> {
    for (const replica of this.#replicas()) {
      const nodes = [...replica.remoteNodes()];
      if (nodes.length === 0) continue;
      const alive = await this.#link.alive(nodes);
      for (const node of nodes) {
        if (alive.has(node)) continue;
        this.#logger.info('node gone: its connections leave', { doc: replica.name, node });
        await replica.append({ kind: 'nodeGone', node });
      }
    }
  }
}

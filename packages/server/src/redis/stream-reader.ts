import type { Logger } from '../log/logger.js';
import type { DocumentReplica } from './document-replica.js';
import type { LogPosition, RedisLink } from './redis-link.js';

/** Entries read per log per XREAD. */
const READ_COUNT = 1_000;
/** Wait after a failed read (Redis unreachable) before the next. */
const RETRY_MS = 200;

/**
 * The node's one reading loop: a blocking XREAD over the logs of every
 * loaded document, each from the last entry its replica applied. Adding a
 * document wakes the loop (an entry on the node's wake stream), so the new
 * log is read at once. While Redis is unreachable the loop retries; reading
 * resumes where each replica stopped.
 */
export class StreamReader {
  readonly #link: RedisLink;
  readonly #logger: Logger;
  readonly #replicas = new Map<string, DocumentReplica>();
  #running = false;
  #stopped = false;
  #idle: (() => void) | undefined;
  #failing = false;

  constructor(link: RedisLink, logger: Logger) {
    this.#link = link;
    this.#logger = logger;
  }

  add(replica: DocumentReplica): void {
    this.#replicas.set(replica.keys.log, replica);
    this.#kick();
  }

  remove(replica: DocumentReplica): void {
    if (this.#replicas.get(replica.keys.log) === replica) this.#replicas.delete(replica.keys.log);
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  stop(): void {
    this.#stopped = true;
    this.#idle?.();
  }

  #kick(): void {
    if (this.#idle !== undefined) {
      this.#idle();
      return;
    }
    this.#link.wake().catch(() => {}); // down: the loop is retrying anyway
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      if (this.#replicas.size === 0) {
        await new Promise<void>((resolve) => {
          this.#idle = resolve;
        });
        this.#idle = undefined;
        continue;
      }
      const positions = new Map<string, LogPosition>();
      for (const [key, replica] of this.#replicas) positions.set(key, replica.position);
      let read: Awaited<ReturnType<RedisLink['read']>>;
      try {
        read = await this.#link.read(positions, READ_COUNT);
        if (this.#failing) this.#logger.warn('reading the logs again');
        this.#failing = false;
      } catch (err) {
        if (this.#stopped) return;
        if (!this.#failing) this.#logger.warn('cannot read the logs', { error: err });
        this.#failing = true;
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        continue;
      }
      for (const [key, entries] of read) this.#replicas.get(key)?.applyEntries(entries);
    }
  }
}

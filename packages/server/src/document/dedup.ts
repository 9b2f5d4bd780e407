import { parseChangeId } from '@varstream/protocol';

interface ClientRecord {
  /** seq -> revision that applied it, oldest first. */
  readonly seqs: Map<number, number>;
  /** When this client last had a change recorded (a counter). */
  touched: number;
}

/** One remembered change id, as saved in snapshots. */
export interface AppliedId {
  readonly id: string;
  readonly rev: number;
}

/**
 * Which change ids a document has applied, so that a client re-sending a
 * change after a reconnect (or a reload) does not apply it twice. Remembers
 * up to `perClient` ids for each of the `clients` most recently active
 * client ids. Ids are matched exactly: a client never reuses one.
 */
export class DedupTable {
  readonly #clients = new Map<string, ClientRecord>();
  readonly #maxClients: number;
  readonly #perClient: number;
  #clock = 0;

  constructor(maxClients: number, perClient: number) {
    this.#maxClients = Math.max(1, maxClients);
    this.#perClient = Math.max(1, perClient);
  }

  /** The revision that applied `id`, or undefined when it was not applied (or is forgotten). */
  lookup(id: string): number | undefined {
    const parsed = parseChangeId(id);
    if (parsed === undefined) return undefined;
    return this.#clients.get(parsed.client)?.seqs.get(parsed.seq);
  }

  record(id: string, rev: number): void {
    const parsed = parseChangeId(id);
    if (parsed === undefined) return;
    let record = this.#clients.get(parsed.client);
    if (record === undefined) {
      if (this.#clients.size >= this.#maxClients) this.#evict();
      record = { seqs: new Map(), touched: 0 };
      this.#clients.set(parsed.client, record);
    }
    record.touched = ++this.#clock;
    record.seqs.set(parsed.seq, rev);
    if (record.seqs.size > this.#perClient) {
      const oldest = record.seqs.keys().next().value;
      if (oldest !== undefined) record.seqs.delete(oldest);
    }
  }

  /** Forgets the least recently active client (a scan, only when the table is full). */
  #evict(): void {
    let stale: string | undefined;
    let oldest = Number.POSITIVE_INFINITY;
    for (const [client, record] of this.#clients) {
      if (record.touched < oldest) {
        oldest = record.touched;
        stale = client;
      }
    }
    if (stale !== undefined) this.#clients.delete(stale);
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** The most recent ids of each client (at most `perClient` each), to save in a snapshot. */
  recent(perClient: number): AppliedId[] {
    const out: AppliedId[] = [];
    const byActivity = [...this.#clients].sort((a, b) => a[1].touched - b[1].touched);
    for (const [client, record] of byActivity) {
      let skip = record.seqs.size - perClient;
      for (const [seq, rev] of record.seqs) {
        if (skip-- > 0) continue;
        out.push({ id: `${client}:${seq}`, rev });
      }
    }
    return out;
  }
}

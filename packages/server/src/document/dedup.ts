import { parseChangeId } from '@varstream/protocol';

interface ClientRecord {
  readonly client: string;
  /** Whose ids these are (see `idOwner`): '' for writers that may write everywhere. */
  readonly owner: string;
  /** seq -> revision that applied it, oldest first. */
  readonly seqs: Map<number, number>;
  /** When this client last had a change recorded (a counter). */
  touched: number;
}

/** One remembered change id, as saved in snapshots. */
export interface AppliedId {
  readonly id: string;
  readonly rev: number;
  /** Whose id it is (see `idOwner`); absent: '' (and in what older servers saved). */
  readonly owner?: string | undefined;
}

/** The table's key of a client's ids: the owner, then the client id (which holds no `/`). */
function keyOf(owner: string, client: string): string {
  return owner === '' ? client : `${owner}/${client}`;
}

/**
 * Which change ids a document has applied, so that a client re-sending a
 * change after a reconnect (or a reload) does not apply it twice. Remembers
 * up to `perClient` ids for each of the `clients` most recently active
 * client ids. Ids are matched exactly: a client never reuses one.
 *
 * Ids are remembered per owner (the writer's scope, see `idOwner`): an id a
 * writer sent is a duplicate only for writers of the same scope, or for any
 * writer when it was recorded by a writer without scope (or by an older
 * server, which saved no owner).
 *
 * The least recently active client is found in amortized O(1): a queue of
 * (client, touched) in the order changes were recorded, entries made stale
 * by a later change of the same client skipped when met, the queue rebuilt
 * once it holds twice as many entries as there are clients. It was found
 * by a scan of every client, once per change of a new client id when the
 * table was full: each change sent under a new id cost a walk of
 * `dedupClients` (10 000) records, ~0.8 ms, for one rate-limit token.
 */
export class DedupTable {
  readonly #clients = new Map<string, ClientRecord>();
  readonly #maxClients: number;
  readonly #perClient: number;
  #clock = 0;
  /** Recorded changes, oldest first: a client's entry is current when its `touched` is the record's. */
  #order: { readonly key: string; readonly touched: number }[] = [];
  /** Entries of `#order` before this one were consumed. */
  #head = 0;

  constructor(maxClients: number, perClient: number) {
    this.#maxClients = Math.max(1, maxClients);
    this.#perClient = Math.max(1, perClient);
  }

  /** The revision that applied `id`, or undefined when it was not applied (or is forgotten). */
  lookup(id: string, owner = ''): number | undefined {
    const parsed = parseChangeId(id);
    if (parsed === undefined) return undefined;
    const own = this.#clients.get(keyOf(owner, parsed.client))?.seqs.get(parsed.seq);
    if (own !== undefined || owner === '') return own;
    return this.#clients.get(parsed.client)?.seqs.get(parsed.seq);
  }

  record(id: string, rev: number, owner = ''): void {
    const parsed = parseChangeId(id);
    if (parsed === undefined) return;
    const key = keyOf(owner, parsed.client);
    let record = this.#clients.get(key);
    if (record === undefined) {
      if (this.#clients.size >= this.#maxClients) this.#evict();
      record = { client: parsed.client, owner, seqs: new Map(), touched: 0 };
      this.#clients.set(key, record);
    }
    record.touched = ++this.#clock;
    this.#order.push({ key, touched: record.touched });
    if (this.#order.length - this.#head > 2 * this.#clients.size + 1024) this.#compact();
    record.seqs.set(parsed.seq, rev);
    if (record.seqs.size > this.#perClient) {
      const oldest = record.seqs.keys().next().value;
      if (oldest !== undefined) record.seqs.delete(oldest);
    }
  }

  /** Forgets the least recently active client: the first current entry of the queue. */
  #evict(): void {
    const order = this.#order;
    while (this.#head < order.length) {
      const entry = order[this.#head++]!;
      if (this.#isCurrent(entry)) {
        this.#clients.delete(entry.key);
        return;
      }
    }
  }

  #isCurrent(entry: { readonly key: string; readonly touched: number }): boolean {
    return this.#clients.get(entry.key)?.touched === entry.touched;
  }

  /** Drops the consumed and stale entries of the queue (O(queue), once per as many records). */
  #compact(): void {
    this.#order = this.#order.slice(this.#head).filter((entry) => this.#isCurrent(entry));
    this.#head = 0;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** The most recent ids of each client (at most `perClient` each), to save in a snapshot. */
  recent(perClient: number): AppliedId[] {
    const out: AppliedId[] = [];
    for (let i = this.#head; i < this.#order.length; i++) {
      const entry = this.#order[i]!;
      if (!this.#isCurrent(entry)) continue;
      const record = this.#clients.get(entry.key)!;
      const owner = record.owner === '' ? undefined : record.owner;
      let skip = record.seqs.size - perClient;
      for (const [seq, rev] of record.seqs) {
        if (skip-- > 0) continue;
        out.push({ id: `${record.client}:${seq}`, rev, owner });
      }
    }
    return out;
  }
}

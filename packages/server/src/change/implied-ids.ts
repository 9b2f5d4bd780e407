import { parseChangeId } from '@varstream/protocol';

/** The `id` field of a change's compact section head (see `HostedDocument.commit`). */
export interface LiveId {
  /** Undefined: implied (or no id); '' for a protocol client's change without id. */
  readonly id: string | undefined;
  /** The sequence number to remember once the change is committed. */
  readonly seq?: number;
}

/**
 * The change ids a connection's compact section heads leave out (see
 * `@varstream/protocol` sections): a change of the hello's client whose
 * sequence number follows the last one accepted from this connection,
 * while that client has no other connection to the document here
 * (`elsewhere`): a client that reconnected counts ids on its new connection
 * only, and would take a change of its old one, sent before it gave up on
 * it and applied after it was welcomed again, for somebody else's.
 */
export class ImpliedIds {
  /** The client id the hello named (undefined: a plain client, every id said). */
  readonly #client: string | undefined;
  readonly #elsewhere: (client: string) => boolean;
  #lastSeq: number | undefined;

  constructor(client: string | undefined, elsewhere: (client: string) => boolean = () => false) {
    this.#client = client;
    this.#elsewhere = elsewhere;
  }

  /**
   * The `id` field of the compact head of change `id`: left out when the
   * client can imply it, '' for a protocol client's change without id, else
   * the id.
   */
  head(id: string | undefined): LiveId {
    const client = this.#client;
    if (client === undefined) return { id };
    if (id === undefined) return { id: '' };
    const parsed = parseChangeId(id);
    if (parsed === undefined || parsed.client !== client) return { id };
    const implied =
      this.#lastSeq !== undefined && parsed.seq === this.#lastSeq + 1 && !this.#elsewhere(client);
    return { id: implied ? undefined : id, seq: parsed.seq };
  }

  /** The change whose head this was is committed: the next sequence number is implied. */
  accepted(head: LiveId): void {
    if (head.seq !== undefined) this.#lastSeq = head.seq;
  }
}

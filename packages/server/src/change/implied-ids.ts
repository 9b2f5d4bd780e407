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
 * sequence number follows the last one accepted from this connection.
 */
export class ImpliedIds {
  /** The client id the hello named (undefined: a plain client, every id said). */
  readonly #client: string | undefined;
  #lastSeq: number | undefined;

  constructor(client: string | undefined) {
    this.#client = client;
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
    const implied = this.#lastSeq !== undefined && parsed.seq === this.#lastSeq + 1;
    return { id: implied ? undefined : id, seq: parsed.seq };
  }

  /** The change whose head this was is committed: the next sequence number is implied. */
  accepted(head: LiveId): void {
    if (head.seq !== undefined) this.#lastSeq = head.seq;
  }
}

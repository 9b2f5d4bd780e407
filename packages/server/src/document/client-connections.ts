/**
 * The connections of each client id (the hello's `client`) joined to a
 * document on this server. A client that reconnects holds a new connection
 * while changes it sent on the old one may still be applied (on Redis, an
 * append stored after its node gave up on it, or a node reading the log
 * behind): the compact heads of those changes must then say their id, which
 * the client cannot count on a connection that is not its own (see
 * `ImpliedIds`). Bounded by the members: a connection leaves with its member.
 */
export class ClientConnections {
  readonly #byClient = new Map<string, Set<string>>();
  readonly #clientOf = new Map<string, string>();

  /** Connection `conn` of client `client` joined. */
  add(client: string, conn: string): void {
    this.remove(conn);
    let conns = this.#byClient.get(client);
    if (conns === undefined) {
      conns = new Set();
      this.#byClient.set(client, conns);
    }
    conns.add(conn);
    this.#clientOf.set(conn, client);
  }

  /** Connection `conn` left. */
  remove(conn: string): void {
    const client = this.#clientOf.get(conn);
    if (client === undefined) return;
    this.#clientOf.delete(conn);
    const conns = this.#byClient.get(client);
    conns?.delete(conn);
    if (conns?.size === 0) this.#byClient.delete(client);
  }

  /** True when client `client` has a connection here other than `conn`. */
  hasOther(client: string, conn: string): boolean {
    const conns = this.#byClient.get(client);
    if (conns === undefined) return false;
    return conns.size > (conns.has(conn) ? 1 : 0);
  }
}

/**
 * The head line of a change section, `#vs change ...`, both ways: the one
 * place that says what its fields may leave out (PROTOCOL.md 3.1 and 3.2).
 *
 * Client to server: `id=<client>:<seq>`, or `s=<seq>` for an id whose
 * client is the one the hello named.
 *
 * Server to client, compact form (version 2 and plain clients):
 * - `rev` only where a section does not follow the revision the client
 *   holds: a section without it is the revision after the last one the
 *   client received (snapshot, replay or section, in this frame or an
 *   earlier one). The server writes it on a section that does not follow;
 *   in a live stream every section follows, so it never does;
 * - a section written by your own connection (`conn` = your welcome's) with
 *   no `id` field is your change `<your client>:<s + 1>`, where `s` is the
 *   sequence number of the previous section of your connection, and `id=`
 *   (empty) says the change had no id. The server writes the id out in
 *   full whenever that rule would not give it (the connection's first
 *   change, after a rejection, a duplicate or an id of another client).
 * The full form (`rev` and `id` on every section) stays valid everywhere.
 */
import { CHANGE_ID_SOURCE, parseChangeId } from './change-id.js';
import { formatMeta, type MetaFields } from './meta.js';
import { Verb } from './verbs.js';
import { isWireInteger, parseWireInteger, WIRE_INTEGER_SOURCE } from './wire-integer.js';

/**
 * The usual client change lines with nothing to decode, `#vs change id=<id>`
 * (group 1: the id) and `#vs change s=<seq>` (group 1: the sequence number),
 * each with an optional `base=<rev>` (group 2), as comment texts (after the
 * `#`): a server reads them without `parseMeta`.
 */
export const PLAIN_CHANGE_LINE = /* @__PURE__ */ new RegExp(
  `^vs ${Verb.CHANGE} id=(${CHANGE_ID_SOURCE})(?: base=(${WIRE_INTEGER_SOURCE}))?$`,
);
export const SEQ_CHANGE_LINE = /* @__PURE__ */ new RegExp(
  `^vs ${Verb.CHANGE} s=(${WIRE_INTEGER_SOURCE})(?: base=(${WIRE_INTEGER_SOURCE}))?$`,
);

/** A section head line (no line break). Fields left undefined are left out. */
export function sectionHead(
  rev: number | undefined,
  conn: string | undefined,
  id: string | undefined,
): string {
  return formatMeta(Verb.CHANGE, { rev, conn, id });
}

/**
 * A client's change line (no line break): `s=<seq>` for its own client's
 * ids, else `id=`; `base`: the revision its text splices apply to.
 */
export function changeHead(id: string, client: string, base?: number): string {
  const prefix = `${client}:`;
  if (id.startsWith(prefix) && isWireInteger(id.slice(prefix.length))) {
    return formatMeta(Verb.CHANGE, { s: id.slice(prefix.length), base });
  }
  return formatMeta(Verb.CHANGE, { id, base });
}

/** The id a client's `#vs change` line names: `id`, or `s` with the hello's client. */
export function changeIdOf(
  fields: MetaFields,
  client: string | undefined,
): { id: string | undefined } | { error: string } {
  const { id, s } = fields;
  if (s === undefined) return { id };
  if (id !== undefined) return { error: 'A change line has either id= or s=, not both' };
  if (client === undefined) return { error: 's= needs the client named by a #vs hello' };
  if (!isWireInteger(s)) return { error: 's= is a sequence number (1 to 15 digits)' };
  return { id: `${client}:${s}` };
}

/** What a section head says once the implied fields are filled in. */
export interface SectionInfo {
  readonly rev: number;
  readonly conn: string | undefined;
  readonly id: string | undefined;
}

/**
 * Reads section heads in the order they arrive, filling in the implied
 * `rev` and `id`. Call `welcome()` on each welcome and `at()` for what
 * else sets the revision held (a snapshot, a replay's `from`).
 */
export class SectionReader {
  readonly #client: string | undefined;
  #conn: string | undefined;
  /** Sequence number of the last section of this connection with an id of its client. */
  #ownSeq: number | undefined;
  /** The revision held: the last one received. */
  #rev: number | undefined;

  /** `client`: the id this end's hello named (none for a plain client). */
  constructor(client?: string) {
    this.#client = client;
  }

  welcome(conn: string | undefined): void {
    this.#conn = conn;
    this.#ownSeq = undefined;
    this.#rev = undefined;
  }

  /** The client now holds `rev` (a snapshot's, a replay's `from`). */
  at(rev: number | undefined): void {
    this.#rev = rev;
  }

  /** The section's revision and id; undefined when its revision cannot be known. */
  section(fields: MetaFields): SectionInfo | undefined {
    const { rev: revText, conn, id } = fields;
    let rev: number | undefined;
    if (revText !== undefined) rev = parseWireInteger(revText);
    else if (this.#rev !== undefined) rev = this.#rev + 1;
    this.#rev = rev;
    if (rev === undefined) return undefined;
    const own = conn !== undefined && conn === this.#conn && this.#client !== undefined;
    if (!own) return { rev, conn, id: id === '' ? undefined : id };
    let full = id;
    if (full === undefined) {
      full = this.#ownSeq === undefined ? undefined : `${this.#client}:${this.#ownSeq + 1}`;
    } else if (full === '') {
      return { rev, conn, id: undefined };
    }
    const parsed = full === undefined ? undefined : parseChangeId(full);
    if (parsed !== undefined && parsed.client === this.#client) this.#ownSeq = parsed.seq;
    return { rev, conn, id: full };
  }
}

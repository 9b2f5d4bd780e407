import type { Path } from '@varstream/varstream';
import type { Access } from '../auth/identity.js';

/**
 * One entry of a document's input log (a Redis stream entry's fields). The
 * log holds what nodes were asked to do, in the one order every node applies
 * it; revisions are what applying it produced.
 *
 * - `join`: a connection joined on node `node` (its identity, for the
 *   permission checks every node makes alike).
 * - `frame`: a frame a connection sent, as it sent it; `baseShift` (a frame
 *   carried from a history Redis lost into the one that replaced it: RECOVER
 *   in redis-link.ts) is added to the `base=` of its changes.
 * - `leave`: a connection left.
 * - `nodeGone`: a node stopped refreshing its liveness key: its connections left.
 * - `write`: a server-side write (`VarStreamServer.write`), `token` names the waiting call.
 */
export type LogEntry =
  | {
      readonly kind: 'join';
      readonly conn: string;
      readonly access: Access;
      readonly scope: readonly Path[] | undefined;
      /** The client id its hello named (`s=<seq>` in its frames means `<client>:<seq>`). */
      readonly client: string | undefined;
    }
  | {
      readonly kind: 'frame';
      readonly conn: string;
      readonly data: string;
      readonly baseShift?: number | undefined;
    }
  | { readonly kind: 'leave'; readonly conn: string }
  | { readonly kind: 'nodeGone'; readonly node: string }
  | {
      readonly kind: 'write';
      readonly token: string;
      readonly atomic: boolean;
      readonly data: string;
    };

/** Field names on the wire (short: a stream entry stores them with every entry). */
const F = {
  kind: 'k',
  conn: 'c',
  data: 'd',
  atomic: 'x',
  access: 'a',
  scope: 's',
  node: 'n',
  client: 'h',
  baseShift: 'o',
};
const KIND = { join: 'j', frame: 'f', leave: 'l', nodeGone: 'g', write: 'w' } as const;

/** The entry as the field/value list of XADD. */
export function encodeEntry(entry: LogEntry): string[] {
  switch (entry.kind) {
    case 'join': {
      const fields = [F.kind, KIND.join, F.conn, entry.conn, F.access, entry.access];
      if (entry.scope !== undefined) fields.push(F.scope, JSON.stringify(entry.scope));
      if (entry.client !== undefined) fields.push(F.client, entry.client);
      return fields;
    }
    case 'frame': {
      const fields = [F.kind, KIND.frame, F.conn, entry.conn, F.data, entry.data];
      if (entry.baseShift !== undefined) fields.push(F.baseShift, String(entry.baseShift));
      return fields;
    }
    case 'leave':
      return [F.kind, KIND.leave, F.conn, entry.conn];
    case 'nodeGone':
      return [F.kind, KIND.nodeGone, F.node, entry.node];
    case 'write':
      return [F.kind, KIND.write, F.node, entry.token, F.atomic, entry.atomic ? '1' : '0'].concat([
        F.data,
        entry.data,
      ]);
  }
}

/** Reads an entry's fields; undefined for an entry this version does not know (skipped alike everywhere). */
export function decodeEntry(fields: readonly string[]): LogEntry | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!);
  const conn = map.get(F.conn);
  switch (map.get(F.kind)) {
    case KIND.join: {
      const access = map.get(F.access);
      if (conn === undefined || (access !== 'read' && access !== 'write')) return undefined;
      const scope = map.get(F.scope);
      return {
        kind: 'join',
        conn,
        access,
        scope: scope === undefined ? undefined : parseScope(scope),
        client: map.get(F.client),
      };
    }
    case KIND.frame: {
      const data = map.get(F.data);
      if (conn === undefined || data === undefined) return undefined;
      const shift = Number(map.get(F.baseShift));
      return Number.isSafeInteger(shift) && shift !== 0
        ? { kind: 'frame', conn, data, baseShift: shift }
        : { kind: 'frame', conn, data };
    }
    case KIND.leave:
      return conn === undefined ? undefined : { kind: 'leave', conn };
    case KIND.nodeGone: {
      const node = map.get(F.node);
      return node === undefined ? undefined : { kind: 'nodeGone', node };
    }
    case KIND.write: {
      const token = map.get(F.node);
      const data = map.get(F.data);
      if (token === undefined || data === undefined) return undefined;
      return { kind: 'write', token, atomic: map.get(F.atomic) === '1', data };
    }
    default:
      return undefined;
  }
}

function parseScope(text: string): Path[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value)) return [];
  return value.filter((path): path is Path => Array.isArray(path));
}

/** The node of a connection id (`c12.n3` is on node `n3`). */
export function nodeOfConn(conn: string): string {
  return conn.slice(conn.lastIndexOf('.') + 1);
}

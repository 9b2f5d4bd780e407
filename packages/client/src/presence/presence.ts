import { formatMeta, type MetaFields, Verb } from '@varstream/protocol';

/** A presence state: small string fields (`name`, `focus`, `color`...). */
export type PresenceState = Readonly<Record<string, string>>;

/** What `setPresence` takes: values are sent as text, `undefined` fields are left out. */
export type PresenceInput = Readonly<Record<string, string | number | boolean | undefined>>;

const KEY = /^[a-z][a-z0-9_]*$/;

/** The `#vs presence ...` line a client sends. Keys must be `[a-z][a-z0-9_]*` (`conn` is the server's). */
export function presenceLine(state: PresenceInput): string {
  const fields: Record<string, string> = {};
  for (const key of Object.keys(state)) {
    const value = state[key];
    if (value === undefined || key === 'conn') continue;
    if (!KEY.test(key)) throw new TypeError(`Invalid presence key: ${key}`);
    fields[key] = String(value);
  }
  return formatMeta(Verb.PRESENCE, fields);
}

/** One presence update from the server: a state (`conn` included) or a departure. */
export type PresenceUpdate =
  | { readonly kind: 'state'; readonly fields: MetaFields }
  | { readonly kind: 'leave'; readonly conn: string };

/** The others' presence states, keyed by connection id. */
export class PresenceMap {
  readonly #states = new Map<string, PresenceState>();

  /** From a server `#vs presence conn=... k=v` line; a state with no field removes the peer. */
  update(fields: MetaFields): boolean {
    const conn = fields.conn;
    if (conn === undefined) return false;
    const state: Record<string, string> = {};
    let any = false;
    for (const key of Object.keys(fields)) {
      if (key === 'conn') continue;
      state[key] = fields[key]!;
      any = true;
    }
    if (!any) return this.#states.delete(conn);
    this.#states.set(conn, Object.freeze(state));
    return true;
  }

  /** Applies server updates, ignoring this client's own connection; true when something changed. */
  apply(updates: readonly PresenceUpdate[], self: string | undefined): boolean {
    let changed = false;
    for (const u of updates) {
      if (u.kind === 'leave') changed = this.leave(u.conn) || changed;
      else if (u.fields.conn !== self) changed = this.update(u.fields) || changed;
    }
    return changed;
  }

  leave(conn: string): boolean {
    return this.#states.delete(conn);
  }

  clear(): boolean {
    const had = this.#states.size > 0;
    this.#states.clear();
    return had;
  }

  /** A snapshot: a new map each time something changed. */
  snapshot(): ReadonlyMap<string, PresenceState> {
    return new Map(this.#states);
  }
}

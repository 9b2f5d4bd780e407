/**
 * Client ids and change ids (PROTOCOL.md 3.1): a client id is 1 to 64 of
 * `A-Z a-z 0-9 _ -`; a change id is `<client>:<seq>`, its sequence number
 * a number field (1 to 15 digits).
 */
import { ID_TOKEN_SOURCE } from './id-token.js';
import { WIRE_INTEGER_SOURCE } from './wire-integer.js';

export const CLIENT_ID_SOURCE = ID_TOKEN_SOURCE;
/** `<client>:<seq>` as a pattern source, without anchors or groups. */
export const CHANGE_ID_SOURCE = `${CLIENT_ID_SOURCE}:${WIRE_INTEGER_SOURCE}`;

const CLIENT_ID = /* @__PURE__ */ new RegExp(`^${CLIENT_ID_SOURCE}$`);
const CHANGE_ID = /* @__PURE__ */ new RegExp(`^(${CLIENT_ID_SOURCE}):(${WIRE_INTEGER_SOURCE})$`);

export interface ChangeId {
  readonly client: string;
  readonly seq: number;
}

/** True when `value` is a client id. */
export function isClientId(value: unknown): value is string {
  return typeof value === 'string' && CLIENT_ID.test(value);
}

/** True when `value` is a change id, `<client>:<seq>`. */
export function isChangeId(value: unknown): value is string {
  return typeof value === 'string' && CHANGE_ID.test(value);
}

/** Parses `<client>:<seq>`; undefined when malformed. */
export function parseChangeId(id: string): ChangeId | undefined {
  const match = CHANGE_ID.exec(id);
  if (match === null) return undefined;
  return { client: match[1]!, seq: Number(match[2]) };
}

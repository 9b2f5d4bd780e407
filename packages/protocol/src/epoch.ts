/**
 * A document's epoch (PROTOCOL.md 2.3): names its history, sent in the
 * welcome and given back in a resuming hello. Written like a client id.
 */
import { ID_TOKEN_SOURCE } from './id-token.js';

const EPOCH = /* @__PURE__ */ new RegExp(`^${ID_TOKEN_SOURCE}$`);

/** True when `value` is an epoch: 1 to 64 of `A-Z a-z 0-9 _ -`. */
export function isEpoch(value: unknown): value is string {
  return typeof value === 'string' && EPOCH.test(value);
}

import { isClientId } from '../changes/client-id.js';
import { ClientError } from '../errors.js';
import type { SyncStorage } from './storage.js';

/** What is kept per document: the client id, the next change number, the pending changes' bodies. */
export interface PersistedState {
  readonly client: string;
  readonly seq: number;
  readonly pending: readonly { readonly seq: number; readonly body: string }[];
}

const VERSION = 1;

/**
 * The storage key of a document: its URL without query or fragment (so no
 * token is ever written to storage).
 */
export function storageKey(url: string): string {
  const u = new URL(url);
  return `varstream:${u.protocol}//${u.host}${u.pathname}`;
}

export function loadState(storage: SyncStorage, key: string): PersistedState | undefined {
  const text = storage.get(key);
  if (text === null || text === undefined) return undefined;
  try {
    const data = JSON.parse(text) as Partial<{ v: number } & PersistedState>;
    if (data.v !== VERSION || !isClientId(data.client) || !Number.isSafeInteger(data.seq)) {
      return undefined;
    }
    const pending = Array.isArray(data.pending) ? data.pending : [];
    return {
      client: data.client,
      seq: data.seq!,
      pending: pending.filter(
        (p) =>
          p !== null &&
          typeof p === 'object' &&
          Number.isSafeInteger(p.seq) &&
          typeof p.body === 'string',
      ),
    };
  } catch {
    return undefined;
  }
}

export function saveState(storage: SyncStorage, key: string, state: PersistedState): void {
  try {
    storage.set(key, JSON.stringify({ v: VERSION, ...state }));
  } catch (err) {
    throw new ClientError('STORAGE', 'Could not save the pending changes', { cause: err });
  }
}

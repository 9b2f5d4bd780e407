import { isChangeId, isEpoch } from '@varstream/protocol';
import { ClientError } from '../errors.js';
import type { SyncStorage } from './storage.js';

/**
 * A pending change as stored: its id (`<client>:<seq>`), statement lines,
 * the base of its splices and the history (epoch) that base belongs to.
 */
export interface StoredChange {
  readonly id: string;
  readonly body: string;
  readonly base?: number;
  readonly epoch?: string;
}

/**
 * What is kept per document: for each client instance that has pending
 * changes, those changes with their ids. Several live instances (tabs) may
 * share one key: each writes its own entry.
 */
export type PersistedState = Record<string, readonly StoredChange[]>;

const VERSION = 2;

/**
 * The storage key of a document: its URL without query or fragment (so no
 * token is ever written to storage).
 */
export function storageKey(url: string): string {
  const u = new URL(url);
  return `varstream:${u.protocol}//${u.host}${u.pathname}`;
}

export function loadState(storage: SyncStorage, key: string): PersistedState {
  const out: Record<string, StoredChange[]> = {};
  let data: unknown;
  try {
    data = JSON.parse(storage.get(key) ?? 'null');
  } catch {
    return out;
  }
  const clients = (data as { v?: unknown; clients?: unknown } | null)?.clients;
  if (
    (data as { v?: unknown } | null)?.v !== VERSION ||
    typeof clients !== 'object' ||
    clients === null
  ) {
    return out;
  }
  for (const [client, list] of Object.entries(clients)) {
    if (!Array.isArray(list)) continue;
    const changes = list.filter(
      (c: Partial<StoredChange> | null) =>
        isChangeId(c?.id) &&
        typeof c.body === 'string' &&
        (c.base === undefined || Number.isSafeInteger(c.base)) &&
        (c.epoch === undefined || isEpoch(c.epoch)),
    ) as StoredChange[];
    if (changes.length > 0) out[client] = changes;
  }
  return out;
}

/** Writes this instance's entry (none when empty) and drops the entries it took over. */
export function saveState(
  storage: SyncStorage,
  key: string,
  client: string,
  pending: readonly StoredChange[],
  adopted: readonly string[],
): void {
  try {
    const clients = loadState(storage, key);
    for (const other of adopted) delete clients[other];
    if (pending.length > 0) clients[client] = pending;
    else delete clients[client];
    if (Object.keys(clients).length === 0) storage.remove(key);
    else storage.set(key, JSON.stringify({ v: VERSION, clients }));
  } catch (err) {
    throw new ClientError('STORAGE', 'Could not save the pending changes', { cause: err });
  }
}

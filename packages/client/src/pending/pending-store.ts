import { isClientId, randomClientId } from '../changes/client-id.js';
import { parseChange } from '../changes/parse-change.js';
import { loadState, saveState } from '../storage/persisted-state.js';
import type { SyncStorage } from '../storage/storage.js';
import type { PendingChange } from './pending-change.js';

/**
 * Numbers local changes (`<client>:<seq>`) and keeps the client id, the next
 * number and the pending changes in storage, so that a reload re-sends them
 * under their ids (the server drops the ones it already applied).
 */
export class PendingStore {
  readonly clientId: string;
  #seq: number;
  readonly #storage: SyncStorage;
  readonly #key: string;
  readonly #restored: PendingChange[] = [];

  constructor(storage: SyncStorage, key: string, clientId?: string) {
    this.#storage = storage;
    this.#key = key;
    const state = loadState(storage, key);
    if (state !== undefined && (clientId === undefined || clientId === state.client)) {
      this.clientId = state.client;
      this.#seq = state.seq;
      for (const { seq, body } of state.pending) {
        try {
          this.#restored.push(this.create(seq, parseChange(body), body));
        } catch {
          // A stored change that no longer parses cannot be sent: drop it.
        }
      }
    } else {
      this.clientId = clientId !== undefined && isClientId(clientId) ? clientId : randomClientId();
      this.#seq = 0;
    }
  }

  /** Changes found in storage at start. */
  takeRestored(): PendingChange[] {
    return this.#restored.splice(0);
  }

  /** The number of the next change. */
  nextSeq(): number {
    return ++this.#seq;
  }

  create(seq: number, statements: PendingChange['statements'], body: string): PendingChange {
    return { id: `${this.clientId}:${seq}`, seq, statements, body, touched: [], skipped: false };
  }

  save(pending: readonly PendingChange[]): void {
    saveState(this.#storage, this.#key, {
      client: this.clientId,
      seq: this.#seq,
      pending: pending.map(({ seq, body }) => ({ seq, body })),
    });
  }
}

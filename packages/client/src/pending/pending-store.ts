import { isClientId } from '@varstream/protocol';
import { randomClientId } from '../changes/client-id.js';
import { parseChange } from '../changes/parse-change.js';
import { loadState, saveState } from '../storage/persisted-state.js';
import type { SyncStorage } from '../storage/storage.js';
import type { PendingChange } from './pending-change.js';

/**
 * Numbers local changes (`<client>:<seq>`) and keeps the pending ones in
 * storage, each with its id, so that a reload re-sends them under the same
 * ids (the server applies an id once).
 *
 * Each instance takes a fresh client id, so two live tabs sharing a storage
 * key never number two changes alike; at start it adopts every change left
 * in storage (by a closed page, or by a live tab: re-sending that one's
 * changes too is harmless, the server answers `duplicate`).
 */
export class PendingStore {
  readonly clientId: string;
  #seq = 0;
  readonly #storage: SyncStorage;
  readonly #key: string;
  readonly #restored: PendingChange[] = [];
  #adopted: string[];

  constructor(storage: SyncStorage, key: string, clientId?: string) {
    this.#storage = storage;
    this.#key = key;
    this.clientId = clientId !== undefined && isClientId(clientId) ? clientId : randomClientId();
    const state = loadState(storage, key);
    this.#adopted = Object.keys(state).filter((client) => client !== this.clientId);
    const own = state[this.clientId] ?? [];
    for (const client of [...this.#adopted, this.clientId]) {
      for (const { id, body, base, epoch } of state[client] ?? []) {
        try {
          const change = this.#make(id, parseChange(body), body, base ?? -1, epoch);
          change.outgone = true;
          this.#restored.push(change);
        } catch {
          // A stored change that no longer parses cannot be sent: drop it.
        }
      }
    }
    // An explicit client id continues its numbering after its stored changes.
    for (const { id } of own)
      this.#seq = Math.max(this.#seq, Number(id.slice(id.indexOf(':') + 1)));
  }

  /** Changes found in storage at start, oldest first. */
  takeRestored(): PendingChange[] {
    return this.#restored.splice(0);
  }

  /** A new local change with the next id. */
  create(
    statements: PendingChange['statements'],
    body: string,
    base = -1,
    epoch?: string,
  ): PendingChange {
    return this.#make(`${this.clientId}:${++this.#seq}`, statements, body, base, epoch);
  }

  #make(
    id: string,
    statements: PendingChange['statements'],
    body: string,
    base: number,
    epoch: string | undefined,
  ): PendingChange {
    return {
      id,
      statements,
      body,
      base,
      epoch,
      sent: false,
      outgone: false,
      retries: 0,
      touched: [],
      skipped: false,
    };
  }

  save(pending: readonly PendingChange[]): void {
    saveState(
      this.#storage,
      this.#key,
      this.clientId,
      pending.map(({ id, body, base, epoch }) => {
        if (base < 0) return { id, body };
        return epoch === undefined ? { id, body, base } : { id, body, base, epoch };
      }),
      this.#adopted,
    );
    this.#adopted = [];
  }
}

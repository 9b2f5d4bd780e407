/**
 * Where pending changes wait across page reloads. Synchronous, shaped like
 * a subset of `localStorage` (wrap an async store with an in-memory cache).
 */
export interface SyncStorage {
  get(key: string): string | null | undefined;
  set(key: string, value: string): void;
  remove(key: string): void;
}

/** Kept in memory, lost with the process: the default where `localStorage` is missing (Node) or blocked. */
export class MemoryStorage implements SyncStorage {
  readonly #data = new Map<string, string>();

  get(key: string): string | undefined {
    return this.#data.get(key);
  }

  set(key: string, value: string): void {
    this.#data.set(key, value);
  }

  remove(key: string): void {
    this.#data.delete(key);
  }
}

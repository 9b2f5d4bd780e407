import type { SyncStorage } from '../storage/storage.js';
import { MemoryStorage } from '../storage/storage.js';

/**
 * `window.localStorage` as a SyncStorage; falls back to memory where it is
 * missing or blocked (private modes, sandboxed frames).
 */
export function browserStorage(): SyncStorage {
  let ls: Storage | undefined;
  try {
    ls = globalThis.localStorage;
    const probe = '__varstream_probe__';
    ls.setItem(probe, '1');
    ls.removeItem(probe);
  } catch {
    return new MemoryStorage();
  }
  const store = ls;
  return {
    get: (key) => store.getItem(key),
    set: (key, value) => store.setItem(key, value),
    remove: (key) => store.removeItem(key),
  };
}

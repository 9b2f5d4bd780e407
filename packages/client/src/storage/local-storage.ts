import type { SyncStorage } from './storage.js';
import { MemoryStorage } from './storage.js';

/**
 * `localStorage` as a SyncStorage; falls back to memory where it is missing
 * (Node) or blocked (private modes, sandboxed frames). The default storage of
 * both `connect`s.
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

import type { Path, Segment } from '@varstream/varstream';
import { pathText } from '../paths/path-input.js';
import { pathKey } from '../paths/path-key.js';
import { affected, valueAt } from './pattern.js';

/** Called with the new value (undefined when deleted) and the concrete path, as text. */
export type Listener = (value: unknown, path: string) => void;

interface Subscription {
  readonly pattern: Path;
  readonly listener: Listener;
  /** Last value delivered (or seen at subscribe time) per concrete path. */
  readonly seen: Map<string, { path: Segment[]; value: unknown }>;
}

/**
 * Subscribers to paths and patterns. After each change the document passes
 * the concrete paths it touched; each subscriber whose pattern meets one of
 * them (at, under or above it) is called once per matching concrete path
 * whose value changed: a scalar that reads the same is not reported, a
 * container (mutated in place) is whenever something under it was touched.
 */
export class Subscriptions {
  readonly #subs = new Set<Subscription>();
  readonly #onError: (err: unknown) => void;

  constructor(onError: (err: unknown) => void) {
    this.#onError = onError;
  }

  add(pattern: Path, listener: Listener, root: unknown): () => void {
    const sub: Subscription = { pattern, listener, seen: new Map() };
    const initial = new Map<string, Segment[]>();
    affected(pattern, [], root, [], initial);
    for (const [key, path] of initial) {
      const value = valueAt(root, path);
      if (value !== undefined) sub.seen.set(key, { path, value });
    }
    this.#subs.add(sub);
    return () => {
      this.#subs.delete(sub);
    };
  }

  notify(touched: readonly Path[], root: unknown): void {
    if (touched.length === 0 || this.#subs.size === 0) return;
    const unique = new Map<string, Path>();
    for (const path of touched) unique.set(pathKey(path), path);
    for (const sub of [...this.#subs]) {
      if (!this.#subs.has(sub)) continue;
      const hits = new Map<string, Segment[]>();
      const known = [...sub.seen.values()].map((entry) => entry.path);
      for (const path of unique.values()) affected(sub.pattern, path, root, known, hits);
      for (const [key, path] of hits) {
        const value = valueAt(root, path);
        const before = sub.seen.get(key);
        // A container is mutated in place: the same object may hold new values.
        if ((value === null || typeof value !== 'object') && Object.is(before?.value, value)) {
          continue;
        }
        if (value === undefined) sub.seen.delete(key);
        else sub.seen.set(key, { path, value });
        try {
          sub.listener(value, pathText(path));
        } catch (err) {
          this.#onError(err);
        }
      }
    }
  }

  clear(): void {
    this.#subs.clear();
  }
}

/**
 * When journal writes reach the disk:
 * - `always`: every batch of changes is written and fsynced before any of
 *   them is broadcast or acknowledged (group commit: one fsync per batch).
 * - `interval`: written at once, fsynced every `fsyncIntervalMs`.
 * - `never`: written at once, fsynced only at shutdown and compaction.
 */
export type FsyncPolicy = 'always' | 'interval' | 'never';

export function isFsyncPolicy(value: unknown): value is FsyncPolicy {
  return value === 'always' || value === 'interval' || value === 'never';
}

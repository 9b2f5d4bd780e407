import { randomBytes } from 'node:crypto';

/**
 * A document's epoch names its history: revision N of one epoch has nothing
 * to do with revision N of another (a memory-only server restarted, a data
 * directory wiped). Sent in the welcome; a client that resumes with another
 * epoch gets a snapshot, never a replay.
 */
export function newEpoch(): string {
  return randomBytes(6).toString('base64url');
}

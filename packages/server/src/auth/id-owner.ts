import { createHash } from 'node:crypto';
import { formatScope, type ResolvedIdentity } from './identity.js';

const owners = new WeakMap<ResolvedIdentity, string>();

/**
 * Whose change ids a writer's are, for duplicate detection: '' for a writer
 * that may write everywhere, else a digest of its scope (16 hex digits).
 * A document remembers change ids per owner: change ids are visible to every
 * member, and a writer that sent `id=<another client>:<next seq>` first used
 * to make that client's real change an acknowledged duplicate, silently
 * dropped, whatever its scope. Now such an id names another change. Derived
 * from the scope alone: what every node of a Redis deployment knows of a
 * connection.
 */
export function idOwner(identity: ResolvedIdentity): string {
  const scope = identity.scope;
  if (scope === undefined) return '';
  let owner = owners.get(identity);
  if (owner === undefined) {
    owner = createHash('sha256').update(formatScope(scope)).digest('hex').slice(0, 16);
    owners.set(identity, owner);
  }
  return owner;
}

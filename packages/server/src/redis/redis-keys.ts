/**
 * The Redis keys of a document. Every key of one document carries the same
 * hash tag (`{<doc>}`, the name URI-encoded so that `{` and `}` never cut
 * it): on Redis Cluster a document lives in one slot, and documents spread
 * over the slots by name.
 */
export interface DocumentKeys {
  /** The stream: the document's totally ordered input log. Entry ids are `<seq>-<gen>` (see redis-link.ts). */
  readonly log: string;
  /** The counter that numbers the log's entries (the last `seq` given). */
  readonly seq: string;
  /**
   * Hash `{ seq, state, gen, fresh?, from?, fromseq? }`: the replica state
   * after entry `seq` of history `gen`; the log is trimmed before it.
   */
  readonly snapshot: string;
  /** Who writes the next snapshot (a short lease, so that one node does it). */
  readonly snapshotLease: string;
}

/** The prefix of every key this server writes. */
export const KEY_PREFIX = 'vs:';

export function documentKeys(doc: string): DocumentKeys {
  const tag = `{${encodeURIComponent(doc)}}`;
  return {
    log: `${KEY_PREFIX}${tag}:log`,
    seq: `${KEY_PREFIX}${tag}:seq`,
    snapshot: `${KEY_PREFIX}${tag}:snap`,
    snapshotLease: `${KEY_PREFIX}${tag}:snaplease`,
  };
}

/** The counter that gives every starting node its id. */
export const NODE_COUNTER_KEY = `${KEY_PREFIX}nodes`;

/** A node's liveness key (expires when the node stops refreshing it). */
export function nodeKey(node: string): string {
  return `${KEY_PREFIX}node:${node}`;
}

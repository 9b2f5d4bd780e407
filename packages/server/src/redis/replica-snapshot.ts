import { createHash } from 'node:crypto';
import type { Path, Segment, TextComponent } from '@varstream/varstream';
import type { Access } from '../auth/identity.js';
import type { ReplicaDocumentState } from '../document/hosted-document.js';
import { ServerError } from '../errors.js';
import type { ServerLimits } from '../options/defaults.js';

/** A connection known to every replica: what applying its next frame needs. */
export interface SavedConn {
  readonly conn: string;
  readonly access: Access;
  readonly scope: readonly Path[] | undefined;
  /** Its `^` context. */
  readonly previous: readonly Segment[];
  /** Its presence line, if any. */
  readonly presence: string | undefined;
  /** The client id its hello named, if any (`s=<seq>` change lines). */
  readonly client?: string | undefined;
}

/**
 * A replica's whole state after some log entry: what a node loads instead of
 * reading the log from the start. Stored as JSON in the document's snapshot
 * hash, next to the entry's `seq`.
 */
export interface ReplicaSnapshot extends ReplicaDocumentState {
  readonly epoch: string;
  /** The limits that decide what applies (see `replicaFingerprint`). */
  readonly fingerprint: string;
  readonly conns: readonly SavedConn[];
}

/**
 * 2: the document's log has numbered histories (entry ids `<seq>-<gen>`, see
 * redis-link.ts). A node of version 1 refuses a snapshot of version 2
 * (rather than append entries outside the history); this version reads both
 * (a document stored by version 1 is history 0).
 */
const VERSION = 2;
const READABLE_VERSIONS: readonly unknown[] = [1, 2];

/**
 * The settings every node must share to decide alike: the limits a change is
 * checked against and the refused keys. A node whose settings differ refuses
 * to load the document rather than diverge.
 */
export function replicaFingerprint(
  limits: Readonly<ServerLimits>,
  unsafeKeys: ReadonlySet<string>,
): string {
  const decisive = [
    limits.maxFrameBytes,
    limits.maxLinesPerFrame,
    limits.maxPathDepth,
    limits.maxArrayIndex,
    limits.maxArrayGap,
    limits.maxDocumentBytes,
    limits.maxTreeDepth,
    limits.maxStringLength,
    limits.maxPresenceBytes,
    limits.dedupClients,
    limits.dedupPerClient,
    limits.maxTextHistory,
    limits.maxSpliceParts,
    [...unsafeKeys].sort(),
  ];
  return createHash('sha256').update(JSON.stringify(decisive)).digest('base64url').slice(0, 16);
}

export function encodeReplicaSnapshot(snapshot: ReplicaSnapshot): string {
  return JSON.stringify({
    v: VERSION,
    epoch: snapshot.epoch,
    fingerprint: snapshot.fingerprint,
    rev: snapshot.rev,
    size: snapshot.size,
    recountRev: snapshot.recountRev,
    applied: snapshot.applied.map(({ id, rev, owner }) =>
      owner === undefined ? [id, rev] : [id, rev, owner],
    ),
    conns: snapshot.conns.map((c) => [
      c.conn,
      c.access,
      c.scope ?? null,
      c.previous,
      c.presence ?? null,
      c.client ?? null,
    ]),
    textHistory: [
      snapshot.textHistory.from,
      snapshot.textHistory.events.map((e) => [
        e.rev,
        e.path,
        e.op ?? null,
        e.author ?? null,
        e.written ?? null,
        e.writtenBase ?? null,
      ]),
    ],
    text: snapshot.text,
  });
}

export function decodeReplicaSnapshot(json: string, doc: string): ReplicaSnapshot {
  const corrupt = (why: string) =>
    new ServerError('SNAPSHOT_CORRUPT', `Redis snapshot of ${doc} is corrupt: ${why}`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isRecord(value) || !READABLE_VERSIONS.includes(value.v)) throw corrupt('unknown version');
  const { epoch, fingerprint, rev, size, recountRev, applied, conns, text, textHistory } = value;
  if (typeof epoch !== 'string' || typeof fingerprint !== 'string' || typeof text !== 'string') {
    throw corrupt('epoch, fingerprint or text missing');
  }
  if (!isCount(rev) || typeof size !== 'number' || typeof recountRev !== 'number') {
    throw corrupt('bad rev, size or recountRev');
  }
  if (!Array.isArray(applied) || !Array.isArray(conns)) throw corrupt('bad applied or conns');
  if (
    !Array.isArray(textHistory) ||
    typeof textHistory[0] !== 'number' ||
    !Array.isArray(textHistory[1])
  ) {
    throw corrupt('bad text history');
  }
  return {
    epoch,
    fingerprint,
    rev,
    size,
    recountRev,
    text,
    textHistory: {
      from: textHistory[0],
      events: textHistory[1].map((item: unknown) => {
        if (!Array.isArray(item) || !isCount(item[0]) || !Array.isArray(item[1])) {
          throw corrupt('bad text event');
        }
        const op: unknown = item[2];
        const written: unknown = item[4]; // absent in snapshots saved before it was kept
        return {
          rev: item[0],
          path: item[1].filter(isSegment),
          op: Array.isArray(op) ? op.filter(isTextComponent) : undefined,
          author: typeof item[3] === 'string' ? item[3] : undefined,
          written: Array.isArray(written) ? written.filter(isTextComponent) : undefined,
          writtenBase: isCount(item[5]) ? item[5] : undefined,
        };
      }),
    },
    applied: applied.map((item: unknown) => {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || !isCount(item[1])) {
        throw corrupt('bad applied id');
      }
      return {
        id: item[0],
        rev: item[1],
        owner: typeof item[2] === 'string' ? item[2] : undefined,
      };
    }),
    conns: conns.map((item: unknown) => {
      if (!Array.isArray(item) || typeof item[0] !== 'string' || !Array.isArray(item[3])) {
        throw corrupt('bad connection');
      }
      const access = item[1];
      if (access !== 'read' && access !== 'write') throw corrupt('bad access');
      const scope: unknown = item[2];
      const presence: unknown = item[4];
      const client: unknown = item[5];
      return {
        conn: item[0],
        access,
        scope: Array.isArray(scope) ? scope.filter((p): p is Path => Array.isArray(p)) : undefined,
        previous: item[3].filter(
          (s: unknown): s is Segment => typeof s === 'string' || typeof s === 'number',
        ),
        presence: typeof presence === 'string' ? presence : undefined,
        client: typeof client === 'string' ? client : undefined,
      };
    }),
  };
}

function isSegment(value: unknown): value is Segment {
  return typeof value === 'string' || typeof value === 'number';
}

function isTextComponent(value: unknown): value is TextComponent {
  return (
    typeof value === 'number' ||
    typeof value === 'string' ||
    (isRecord(value) && typeof value.d === 'number')
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

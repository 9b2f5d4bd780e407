import { copyFile, readFile, truncate } from 'node:fs/promises';
import { parseMeta } from '@varstream/client/protocol';
import { defaults, type Limits, Tree } from '@varstream/varstream';
import type { AppliedId } from '../document/dedup.js';
import { makeRevision, type Revision } from '../document/revision.js';
import { decodeJournal } from '../journal/record.js';
import type { Logger } from '../log/logger.js';
import { decodeSnapshot } from '../snapshot/snapshot-file.js';
import { applyText } from './apply-text.js';
import type { DocFiles } from './file-names.js';

export interface LoadedDocument {
  /** The history's epoch, from the snapshot or the journal; undefined for a new document. */
  readonly epoch: string | undefined;
  readonly root: unknown;
  readonly rev: number;
  /** Journal records after the snapshot, in order: the start of the resume log. */
  readonly revisions: Revision[];
  /** Change ids from the snapshot and the journal, for duplicate detection. */
  readonly applied: AppliedId[];
  /** Bytes of journal left on disk. */
  readonly journalBytes: number;
  /** A compaction was interrupted (`.journal.next` exists): compact before anything else. */
  readonly interrupted: boolean;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Limits for reading back what the server wrote: never tighter than the codec's defaults. */
export function loadLimits(limits: Partial<Limits>): Partial<Limits> {
  return {
    maxPathDepth: Math.max(defaults.maxPathDepth, limits.maxPathDepth ?? 0),
    maxArrayIndex: Math.max(defaults.maxArrayIndex, limits.maxArrayIndex ?? 0),
    maxArrayGap: Math.max(defaults.maxArrayGap, limits.maxArrayGap ?? 0),
    maxStatementLength: Math.max(defaults.maxStatementLength, limits.maxStatementLength ?? 0),
    maxNodes: Number.POSITIVE_INFINITY,
  };
}

/**
 * Loads a document from its snapshot and journal(s). A torn tail (the
 * partial record a crash leaves) is dropped and the file truncated to its
 * last whole record; anything else invalid after the valid records is kept
 * aside in `<journal>.corrupt-<time>` and reported.
 */
export async function loadDocument(
  files: DocFiles,
  name: string,
  limits: Partial<Limits>,
  logger: Logger,
): Promise<LoadedDocument> {
  const readLimits = loadLimits(limits);
  const tree = new Tree({}, { limits: readLimits });
  let rev = 0;
  let epoch: string | undefined;
  const applied: AppliedId[] = [];
  const onMeta = (text: string) => {
    const meta = parseMeta(text);
    if (meta?.verb !== 'applied') return;
    const { id, rev: at } = meta.fields;
    if (id !== undefined && at !== undefined && /^[0-9]{1,15}$/.test(at)) {
      applied.push({ id, rev: Number(at) });
    }
  };

  const snapshotData = await readIfExists(files.snapshot);
  if (snapshotData !== undefined) {
    const snapshot = decodeSnapshot(snapshotData, files.snapshot);
    if (snapshot.doc !== undefined && snapshot.doc !== name) {
      logger.warn('snapshot names another document', { doc: name, found: snapshot.doc });
    }
    tree.root = {};
    applyText(tree, snapshot.body, readLimits, onMeta);
    rev = snapshot.rev;
    epoch = snapshot.epoch;
  }

  const revisions: Revision[] = [];
  let journalBytes = 0;
  let interrupted = false;
  let stopped = false;
  for (const path of [files.journal, files.nextJournal]) {
    const data = await readIfExists(path);
    if (data === undefined) continue;
    if (path === files.nextJournal) interrupted = true;
    const decoded = decodeJournal(data);
    epoch ??= decoded.epoch;
    let keep = decoded.headerBytes;
    let problem = decoded.tail;
    for (const record of decoded.records) {
      if (stopped) break;
      if (record.rev <= rev) {
        keep = record.end;
        if (record.id !== undefined) applied.push({ id: record.id, rev: record.rev });
        continue;
      }
      if (record.rev !== rev + 1) {
        problem = `revision ${record.rev} follows ${rev}`;
        stopped = true;
        break;
      }
      tree.begin();
      try {
        applyText(tree, record.body, readLimits);
        tree.commit();
      } catch (err) {
        tree.rollback();
        problem = `revision ${record.rev} does not apply: ${(err as Error).message}`;
        stopped = true;
        break;
      }
      rev = record.rev;
      keep = record.end;
      revisions.push(makeRevision(record.rev, record.conn, record.id, record.body));
      if (record.id !== undefined) applied.push({ id: record.id, rev: record.rev });
    }
    if (keep < data.length) {
      const torn = decoded.tail?.startsWith('incomplete') === true && problem === decoded.tail;
      if (torn) {
        logger.warn('journal: dropped a torn tail', {
          doc: name,
          file: path,
          bytes: data.length - keep,
        });
      } else {
        const aside = `${path}.corrupt-${Date.now()}`;
        await copyFile(path, aside);
        logger.error('journal: invalid data after the last valid record, kept aside', {
          doc: name,
          file: path,
          reason: problem,
          bytes: data.length - keep,
          copy: aside,
        });
      }
      await truncate(path, keep);
    }
    journalBytes += keep;
  }
  return {
    epoch,
    root: tree.root === undefined ? {} : tree.root,
    rev,
    revisions,
    applied,
    journalBytes,
    interrupted,
  };
}

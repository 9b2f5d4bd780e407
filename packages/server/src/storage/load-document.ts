import { copyFile, readFile, rename, truncate } from 'node:fs/promises';
import { parseMeta, parseWireInteger, Verb } from '@varstream/protocol';
import { defaults, isVarStreamError, type Limits, Tree } from '@varstream/varstream';
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
  /**
   * What could not be read, when something could not: the document starts
   * from what was readable, so its history is not what clients may hold.
   * `torn`: only an unfinished last journal record (what a crash leaves).
   */
  readonly lost: LostHistory | undefined;
}

export interface LostHistory {
  readonly kind: 'snapshot' | 'journal' | 'torn';
  readonly reason: string;
}

/** The limits a document's data was accepted under (`ServerLimits` has them all). */
export interface AcceptLimits {
  readonly maxArrayIndex?: number;
  readonly maxArrayGap?: number;
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Limits for reading back what the server wrote: never tighter than what it
 * accepts (nor than the codec's defaults). `&=` makes trees deeper than any
 * statement (older servers did not bound it at all); deletes leave gaps as
 * wide as the largest index; `+=` builds strings longer than any frame. The
 * files are the server's own, checked by their CRCs, bounded by their size.
 */
export function loadLimits(limits: AcceptLimits): Partial<Limits> {
  const maxArrayIndex = Math.max(defaults.maxArrayIndex, limits.maxArrayIndex ?? 0);
  return {
    maxPathDepth: Number.POSITIVE_INFINITY,
    maxArrayIndex,
    maxArrayGap: Math.max(defaults.maxArrayGap, limits.maxArrayGap ?? 0, maxArrayIndex),
    maxStatementLength: Number.POSITIVE_INFINITY,
    maxStringLength: Number.POSITIVE_INFINITY,
    maxNodes: Number.POSITIVE_INFINITY,
  };
}

/**
 * Loads a document from its snapshot and journal(s), never refusing to: what
 * cannot be read is kept aside and reported, and the document starts from
 * what can. A torn tail (the partial record a crash leaves) is dropped and
 * the file truncated to its last whole record; anything else invalid after
 * the valid records is copied to `<journal>.corrupt-<time>`; a snapshot that
 * cannot be decoded is renamed `<snapshot>.corrupt-<time>` (the document then
 * starts empty, the journal after it kept aside too), and statements of a
 * snapshot that do not apply are skipped. `lost` says what happened.
 */
export async function loadDocument(
  files: DocFiles,
  name: string,
  limits: AcceptLimits,
  logger: Logger,
): Promise<LoadedDocument> {
  const readLimits = loadLimits(limits);
  const tree = new Tree({}, { limits: readLimits, boundedRollback: true });
  let lost: LostHistory | undefined;
  let rev = 0;
  let epoch: string | undefined;
  const applied: AppliedId[] = [];
  const onMeta = (text: string) => {
    const meta = parseMeta(text);
    if (meta?.verb !== Verb.APPLIED) return;
    const { id } = meta.fields;
    const at = parseWireInteger(meta.fields.rev);
    if (id !== undefined && at !== undefined) applied.push({ id, rev: at, owner: meta.fields.o });
  };

  const snapshotData = await readIfExists(files.snapshot);
  let snapshot: ReturnType<typeof decodeSnapshot> | undefined;
  if (snapshotData !== undefined) {
    try {
      snapshot = decodeSnapshot(snapshotData, files.snapshot);
    } catch (err) {
      const aside = `${files.snapshot}.corrupt-${Date.now()}`;
      await rename(files.snapshot, aside);
      lost = { kind: 'snapshot', reason: (err as Error).message };
      logger.error('snapshot: unreadable, set aside; the document starts from its journal', {
        doc: name,
        file: files.snapshot,
        reason: lost.reason,
        copy: aside,
      });
    }
  }
  if (snapshot !== undefined) {
    if (snapshot.doc !== undefined && snapshot.doc !== name) {
      logger.warn('snapshot names another document', { doc: name, found: snapshot.doc });
    }
    tree.root = {};
    const skipped: string[] = [];
    applyText(tree, snapshot.body, readLimits, onMeta, (err) => {
      if (!isVarStreamError(err)) throw err;
      skipped.push(err.message);
    });
    if (skipped.length > 0) {
      lost = { kind: 'snapshot', reason: `${skipped.length} statements skipped: ${skipped[0]}` };
      logger.error('snapshot: statements that do not apply were skipped', {
        doc: name,
        file: files.snapshot,
        skipped: skipped.length,
        first: skipped[0],
      });
    }
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
        if (record.id !== undefined)
          applied.push({ id: record.id, rev: record.rev, owner: record.owner });
        continue;
      }
      if (record.rev !== rev + 1) {
        problem = `revision ${record.rev} follows ${rev}`;
        stopped = true;
        break;
      }
      tree.begin();
      let splices = 0;
      try {
        splices = applyText(tree, record.body, readLimits).splices;
        tree.commit();
      } catch (err) {
        tree.rollback();
        problem = `revision ${record.rev} does not apply: ${(err as Error).message}`;
        stopped = true;
        break;
      }
      rev = record.rev;
      keep = record.end;
      // The journal keeps splices into long strings as splices: readers without
      // the extension cannot replay such a record, so the resume log starts after it.
      if (splices > 0) revisions.length = 0;
      else revisions.push(makeRevision(record.rev, record.conn, record.id, record.body));
      if (record.id !== undefined)
        applied.push({ id: record.id, rev: record.rev, owner: record.owner });
    }
    if (keep < data.length) {
      const torn = decoded.tail?.startsWith('incomplete') === true && problem === decoded.tail;
      if (lost === undefined || lost.kind === 'torn') {
        lost = { kind: torn ? 'torn' : 'journal', reason: problem ?? 'unreadable data' };
      }
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
    lost,
  };
}

import { SPLICE_STALE } from '@varstream/protocol';
import {
  type Change,
  checkTextOp,
  composeTextOps,
  invertTextOp,
  opToSplices,
  type Path,
  RESET,
  ReplicaTree,
  type Splice,
  type Statement,
  splicesToOp,
  type TextOp,
  textEffect,
} from '@varstream/varstream';
import { changeBody, hasSplices } from '../changes/change-frame.js';
import { utf8Length } from '../changes/utf8-length.js';
import type { RejectionCode } from '../errors.js';
import { pathKey } from '../paths/path-key.js';
import { samePath } from '../paths/same-path.js';
import type { PendingChange } from '../pending/pending-change.js';
import { textDiff } from './text-diff.js';
import { type Replaced, rebasePending } from './text-rebase.js';

/** What the server sent, as the replica consumes it (see `sync/server-frame.ts`). */
export type Incoming =
  | { readonly kind: 'snapshot'; readonly rev: number; readonly statements: readonly Statement[] }
  | {
      readonly kind: 'change';
      readonly rev: number;
      readonly id: string | undefined;
      readonly statements: readonly Statement[];
    }
  | {
      readonly kind: 'ack';
      readonly id: string;
      /** The revision that applied it (a duplicate), or the current one (an empty change). */
      readonly rev?: number | undefined;
    }
  | {
      readonly kind: 'reject';
      readonly id: string;
      /** The server's code; `SPLICE_STALE` changes are sent again (the document requeues them). */
      readonly code?: RejectionCode | undefined;
    };

export interface ReceiveResult {
  /** Paths whose value may have changed in the view (`[]` is the root: everything). */
  readonly touched: Path[];
  readonly acked: PendingChange[];
  readonly rejected: PendingChange[];
  /** The confirmed tree cannot follow the server (gap or failed statement): resynchronise. */
  readonly resync: boolean;
  /**
   * Remote text operations, as they apply to the view's strings (for carets),
   * in order. A string changed otherwise (replaced, or its op unknown) is not here.
   */
  readonly textOps: readonly { readonly path: Path; readonly op: TextOp }[];
}

/**
 * The server checked every change against its own limits when it accepted
 * it; what it sends must be read. A sparse array whose elements were deleted
 * holds gaps as wide as its largest index, beyond the codec's default
 * `maxArrayGap` (issue 9: a welcome the client could not read made it
 * resynchronise forever).
 */
const NO_LIMIT = { maxNodes: Number.POSITIVE_INFINITY, maxArrayGap: Number.POSITIVE_INFINITY };

/**
 * The state of PROTOCOL.md section 5: one tree that is the confirmed tree
 * (server order, revision `rev`) while no change is recorded, and the view
 * (confirmed + pending) once the pending changes are applied on top inside
 * an undo log (`ReplicaTree.begin`: the codec's `Tree` without what only servers need). Bringing in remote changes rolls the pending
 * changes back, applies the remote ones, and re-applies the pending ones: it
 * costs O(pending + incoming), never O(document).
 */
export class Replica {
  readonly tree = new ReplicaTree(undefined, { limits: NO_LIMIT });
  /** Revision of the confirmed tree; -1 before the first snapshot. */
  rev = -1;
  readonly pending: PendingChange[] = [];

  constructor() {
    this.tree.begin();
  }

  /** The optimistic view's root. */
  get root(): unknown {
    return this.tree.root;
  }

  /**
   * Applies a new local change on top of the view and queues it. Throws the
   * codec's error, leaving the view unchanged, when it does not apply.
   */
  addLocal(change: PendingChange): void {
    try {
      this.#applyPending(change);
    } catch (err) {
      this.#rebuild();
      throw err;
    }
    this.pending.push(change);
  }

  /**
   * Applies `statements` (text splices on one string) to the view and merges
   * them into the last pending change, which holds only splices on that
   * string and has never left (`outgone`): typing while a change waits for its
   * acknowledgement makes one change, not one per keystroke. Returns that
   * change, or undefined (nothing applied) when the last one does not qualify
   * or the merged change would be more than `maxBytes` UTF-8 bytes (it
   * could never be sent: the caller queues `statements` as a change of their own).
   */
  extendLast(
    statements: readonly Statement[],
    maxBytes = Number.POSITIVE_INFINITY,
  ): PendingChange | undefined {
    const last = this.pending[this.pending.length - 1];
    const path = splicePath(statements);
    if (last === undefined || last.outgone || last.skipped || path === undefined) return undefined;
    const lastPath = splicePath(last.statements);
    if (lastPath === undefined || !samePath(path, lastPath)) return undefined;
    const applied: Change[] = [];
    for (const statement of statements) {
      try {
        applied.push(this.tree.apply(statement));
      } catch (err) {
        this.#rebuild();
        throw err;
      }
    }
    const op = composeTextOps(
      splicesToOp(last.statements.map((s) => s.splice!)),
      splicesToOp(statements.map((s) => s.splice!)),
    );
    const template = last.statements[0]!;
    const merged = opToSplices(op).map((splice) => ({ ...template, splice }));
    const body = changeBody(merged);
    if (body.length > maxBytes / 3 && utf8Length(body) > maxBytes) {
      this.#rebuild(); // takes `statements` back out of the view
      return undefined;
    }
    last.statements = merged;
    last.body = body;
    if (last.statements.length === 0) last.touched = [applied[0]!.path];
    return last;
  }

  /**
   * Puts a change back first in the queue (a splice refused as stale, sent
   * again under a new id): it was the oldest pending change, and the later
   * ones were written on top of it.
   */
  requeue(change: PendingChange): void {
    this.tree.rollback();
    this.pending.unshift(change);
    this.#reapply();
  }

  /** Queues changes restored from storage (they are applied to the view when the first snapshot comes). */
  restore(changes: readonly PendingChange[]): void {
    this.tree.rollback();
    this.pending.push(...changes);
    this.#reapply();
  }

  /** Brings in what the server sent, in order, as one step. */
  receive(batch: readonly Incoming[]): ReceiveResult {
    const acked: PendingChange[] = [];
    const rejected: PendingChange[] = [];
    if (this.#onlyOwnEchoes(batch)) {
      // The common case: our oldest changes came back in order. The view is
      // already right; when nothing else is pending it is the confirmed tree.
      for (const item of batch) {
        acked.push(this.pending.shift()!);
        this.rev = (item as { rev: number }).rev;
      }
      for (const change of this.pending) change.base = this.rev;
      if (this.pending.length === 0) {
        this.tree.commit();
        this.tree.begin();
      } else {
        this.tree.rollback();
        // Nothing in the view changes: re-applying is only bookkeeping.
        this.#applyConfirmed(batch);
        this.#reapply();
      }
      return { touched: [], acked, rejected, resync: false, textOps: [] };
    }

    const touched: Path[] = [];
    const textOps: { path: Path; op: TextOp }[] = [];
    for (const change of this.pending) touched.push(...change.touched);
    this.tree.rollback();
    let resync = false;
    for (const item of batch) {
      if (item.kind === 'snapshot') {
        const from = this.#firstToRebase();
        const before = this.#pendingTexts(from);
        this.tree.root = undefined;
        this.rev = item.rev;
        touched.push([]);
        if (!this.#applyAll(item.statements, undefined)) resync = true;
        else this.#rebaseOntoSnapshot(from, before);
      } else if (item.kind === 'change') {
        if (this.rev >= 0 && item.rev <= this.rev) continue; // already held
        if (this.rev < 0 || item.rev !== this.rev + 1) {
          resync = true;
          break;
        }
        this.rev = item.rev;
        const own = item.id === undefined ? undefined : this.#take(item.id);
        if (own !== undefined) acked.push(own);
        const rebase =
          own === undefined
            ? (change: Change) => {
                const effect = textEffect(change);
                const op = rebasePending(this.pending, effect, changeBody, {
                  replaced: replacedLengths(change),
                });
                if (op !== undefined) textOps.push({ path: effect.path, op });
              }
            : undefined;
        if (!this.#applyAll(item.statements, touched, rebase)) {
          resync = true;
          break;
        }
        for (const change of this.pending) change.base = item.rev;
      } else {
        const index = this.pending.findIndex((c) => c.id === item.id);
        const change = this.#take(item.id);
        if (change === undefined) continue;
        (item.kind === 'ack' ? acked : rejected).push(change);
        // A refusal, or a duplicate (the confirmed tree already holds the change: the
        // view applied it twice, and what was written after it saw it twice).
        if (item.kind === 'reject' && index === 0 && item.code !== SPLICE_STALE) {
          this.#unwind(change);
        } else if (item.kind === 'ack' && index === 0 && item.rev !== undefined) {
          // Only what was written on a confirmed tree that held it saw it twice.
          const rev = item.rev;
          this.#unwind(change, (later) => later.base < rev);
        }
      }
    }
    if (resync) this.rev = -1;
    this.#reapply();
    for (const change of this.pending) touched.push(...change.touched);
    return { touched, acked, rejected, resync, textOps };
  }

  #onlyOwnEchoes(batch: readonly Incoming[]): boolean {
    if (batch.length === 0 || batch.length > this.pending.length) return false;
    let rev = this.rev;
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i]!;
      if (item.kind !== 'change' || rev < 0 || item.rev !== rev + 1) return false;
      const change = this.pending[i]!;
      if (item.id !== change.id || change.skipped) return false;
      // A splice the server transformed differently (or voided) than the view did.
      if (hasSplices(change.statements) && !sameSplices(item.statements, change.statements)) {
        return false;
      }
      rev = item.rev;
    }
    return true;
  }

  #applyConfirmed(batch: readonly Incoming[]): void {
    for (const item of batch)
      if (item.kind === 'change') this.#applyAll(item.statements, undefined);
  }

  /** Applies statements to the confirmed tree; false when one fails (the tree has diverged). */
  #applyAll(
    statements: readonly Statement[],
    touched: Path[] | undefined,
    each?: (change: Change) => void,
  ): boolean {
    for (const statement of statements) {
      let change: Change;
      try {
        change = this.tree.apply(statement);
      } catch {
        return false;
      }
      touched?.push(change.path);
      each?.(change);
    }
    return true;
  }

  /**
   * A refused change's splices are taken out of the pending changes written
   * on top of it: each later splice on the same string is transformed against
   * their inverse (as if somebody had deleted what it typed). Only for the
   * oldest pending change, whose splices apply to the confirmed tree (where
   * the inverse is read).
   */
  #unwind(change: PendingChange, keep?: (later: PendingChange) => boolean): void {
    const byPath = new Map<string, { path: Path; splices: Splice[] }>();
    for (const statement of change.statements) {
      const key = pathKey(statement.path);
      const splice = ownSplice(statement, this.tree, byPath.get(key));
      if (splice === undefined) continue;
      const entry = byPath.get(key) ?? { path: statement.path, splices: [] };
      entry.splices.push(splice);
      byPath.set(key, entry);
    }
    for (const { path, splices } of byPath.values()) {
      const value = this.tree.get(path);
      if (value !== undefined && typeof value !== 'string') continue;
      const text = value ?? '';
      const op = splicesToOp(splices);
      // A change that did not apply was skipped in the view: nothing was written on top of it.
      if (checkTextOp(text, op) !== undefined) continue;
      rebasePending(this.pending, { path, op: invertTextOp(op, text) }, changeBody, { keep });
    }
  }

  /**
   * The first pending change a snapshot must rebase: all of them when the
   * confirmed tree was the server's (their splices apply to it); after a
   * reload (no confirmed tree yet), the ones written on this page before the
   * snapshot (`base` -1): the restored ones keep their `base`, the server
   * transforms them.
   */
  #firstToRebase(): number {
    if (this.rev >= 0) return 0;
    const first = this.pending.findIndex(
      (change) => change.base < 0 && hasSplices(change.statements),
    );
    return first === -1 ? this.pending.length : first;
  }

  /**
   * The strings that the splices of `pending[from..]` edit, as the view holds
   * them right before `pending[from]` (the undo log must be closed; it is
   * left closed). Cost: the pending changes before `from`.
   */
  #pendingTexts(from: number): Map<string, { path: Path; text: string | undefined }> {
    const texts = new Map<string, { path: Path; text: string | undefined }>();
    if (from >= this.pending.length) return texts;
    this.tree.begin();
    for (let i = 0; i < from; i++) {
      try {
        this.#applyPending(this.pending[i]!);
      } catch {
        // Did not apply: the view skips it too.
      }
    }
    for (let i = from; i < this.pending.length; i++) {
      for (const statement of this.pending[i]!.statements) {
        if (statement.op !== '~=') continue;
        const key = pathKey(statement.path);
        if (texts.has(key)) continue;
        const value = this.tree.get(statement.path);
        texts.set(key, {
          path: statement.path,
          text: typeof value === 'string' ? value : undefined,
        });
      }
    }
    this.tree.rollback();
    return texts;
  }

  /**
   * After a snapshot: the splices of `pending[from..]`, written on the view
   * before it, are transformed onto the view after it by the difference of
   * each string (the operations in between are not known); a string that
   * is no longer one voids them. They are now based on the snapshot.
   */
  #rebaseOntoSnapshot(
    from: number,
    before: Map<string, { path: Path; text: string | undefined }>,
  ): void {
    if (before.size === 0) return;
    const after = this.#pendingTexts(from);
    const rebased = this.pending.slice(from);
    for (const [key, old] of before) {
      if (old.text === undefined) continue;
      const now = after.get(key)?.text;
      const op = now === undefined ? undefined : textDiff(old.text, now);
      // A change that may have reached the server goes after the text the snapshot
      // brought at the same place: if the snapshot holds it (its duplicate
      // acknowledgement will come), the copy in the view is the later one, and
      // what was typed after it follows both. The others go first, as the server
      // would sequence them.
      rebasePending(rebased, { path: old.path, op }, changeBody, {
        sideOf: (change) => (change.outgone ? 'right' : 'left'),
      });
    }
    for (const change of rebased) change.base = this.rev;
  }

  #take(id: string): PendingChange | undefined {
    const i = this.pending.findIndex((c) => c.id === id);
    return i === -1 ? undefined : this.pending.splice(i, 1)[0];
  }

  /** View = confirmed + pending, from the confirmed tree (no undo log open). */
  #reapply(): void {
    const skip = new Set<PendingChange>();
    restart: for (;;) {
      this.tree.begin();
      for (const change of this.pending) {
        if (skip.has(change)) {
          change.skipped = true;
          change.touched = [];
          continue;
        }
        try {
          this.#applyPending(change);
        } catch {
          // Undo this change's first statements: start again without it.
          skip.add(change);
          this.tree.rollback();
          continue restart;
        }
      }
      return;
    }
  }

  /** Applies a pending change's statements to the view, noting the paths they touched. Throws the codec's error. */
  #applyPending(change: PendingChange): void {
    const touched: Path[] = [];
    for (const statement of change.statements) touched.push(this.tree.apply(statement).path);
    change.touched = touched;
    change.skipped = false;
  }

  /** Rebuilds the view from the confirmed tree (after a local change failed halfway). */
  #rebuild(): void {
    this.tree.rollback();
    this.#reapply();
  }
}

/**
 * A statement of a change being unwound as a splice on the confirmed string:
 * a `~=` as it is; a `+=` of text onto a string as the insert at its end
 * (after the change's earlier splices on it, `earlier`). Else undefined.
 */
function ownSplice(
  statement: Statement,
  tree: ReplicaTree,
  earlier: { splices: Splice[] } | undefined,
): Splice | undefined {
  if (statement.op === '~=') return statement.splice;
  if (statement.op !== '+=' || typeof statement.value !== 'string') return undefined;
  const value = tree.get(statement.path);
  if (typeof value !== 'string') return undefined;
  let length = value.length;
  for (const splice of earlier?.splices ?? []) length += splice.text.length - splice.del;
  return { at: length, del: 0, text: statement.value };
}

/** The lengths of a string that `change` replaced with a string (see `rebasePending`), else undefined. */
function replacedLengths(change: Change): Replaced | undefined {
  const { previous, result } = change;
  if (change.path.includes(RESET)) return undefined; // its effect is on the array above
  if (typeof result !== 'string') return undefined;
  if (previous !== undefined && typeof previous !== 'string') return undefined;
  return { before: previous?.length ?? 0, after: result.length };
}

/** The path of statements that are all text splices on one concrete path, else undefined. */
function splicePath(statements: readonly Statement[]): Path | undefined {
  const first = statements[0];
  if (first === undefined) return undefined;
  for (const statement of statements) {
    if (statement.op !== '~=' || statement.splice === undefined) return undefined;
    if (!samePath(statement.path, first.path)) return undefined;
  }
  for (const segment of first.path)
    if (typeof segment === 'number' && segment < 0) return undefined;
  return first.path;
}

/** True when the server's section holds the same splices, in order, as the pending change. */
function sameSplices(echoed: readonly Statement[], own: readonly Statement[]): boolean {
  if (echoed.length !== own.length) return false;
  for (let i = 0; i < own.length; i++) {
    const a = echoed[i]!;
    const b = own[i]!;
    if (a.op !== b.op || !samePath(a.path, b.path)) return false;
    if (b.op !== '~=') continue;
    const x = a.splice!;
    const y = b.splice!;
    if (x.at !== y.at || x.del !== y.del || x.text !== y.text) return false;
  }
  return true;
}

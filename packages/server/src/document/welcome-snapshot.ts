import { type ResumeLog, sectionsLength } from './resume-log.js';
import type { Revision } from './revision.js';

/**
 * A welcome's snapshot is reused, followed by the change sections written
 * since, while those weigh at most 1/SNAPSHOT_REUSE_DIVISOR of it.
 */
export const SNAPSHOT_REUSE_DIVISOR = 4;

/** Replays up to this many characters are sent whatever the document's size (see `replayFits`). */
export const REPLAY_FREE_LENGTH = 65_536;

/**
 * True when a client that missed `missed` gets them as a replay rather than
 * a snapshot: a replay is built for one client (a snapshot is shared), and
 * its size grows with the history, not with the document (a client that
 * resumed 9 000 revisions back got 6.4 MB, ~290 ms a join, for a 35 KB
 * document). So at most REPLAY_FREE_LENGTH characters, or as much as the
 * document's size estimate (`documentSize`, bytes of its snapshot).
 */
export function replayFits(missed: readonly Revision[], documentSize: number): boolean {
  return sectionsLength(missed) <= Math.max(REPLAY_FREE_LENGTH, documentSize);
}

/** The snapshot part of a welcome: a shared frame, and the revisions that bring it to the document's. */
export interface WelcomeSnapshot {
  /** `#vs snapshot rev=<R>` and the document at R: shared by every welcome that uses it (never modify it). */
  readonly data: Buffer;
  /** Revisions R+1 to the document's, from the resume log (empty when R is the document's). */
  readonly since: readonly Revision[];
}

/**
 * The snapshot frames of a document's welcomes. Building one costs
 * O(document) (stringify, then UTF-8): built once per revision, a join after
 * every one-statement change rebuilt it each time (~180 ms of a blocked event
 * loop per join for a 7 MB document, for a change of a few bytes). The last
 * one built is reused with the revisions written since (which the resume log
 * holds) until those weigh a quarter of it: a rebuild is then paid by what
 * the changes since wrote, and a welcome holds at most 1.25 times the
 * document.
 */
export class WelcomeSnapshots {
  readonly #build: () => Buffer;
  #frame: { rev: number; data: Buffer } | undefined;

  /** `build` writes the snapshot frame of the document as it is now. */
  constructor(build: () => Buffer) {
    this.#build = build;
  }

  /** The snapshot part of a welcome at revision `rev` (the document's). */
  at(rev: number, log: ResumeLog): WelcomeSnapshot {
    const frame = this.#frame;
    if (frame !== undefined) {
      const since = log.since(frame.rev, rev);
      if (
        since !== undefined &&
        sectionsLength(since) * SNAPSHOT_REUSE_DIVISOR <= frame.data.length
      ) {
        return { data: frame.data, since };
      }
    }
    const data = this.#build();
    this.#frame = { rev, data };
    return { data, since: [] };
  }
}

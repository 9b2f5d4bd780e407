import type { Path, Statement } from '@varstream/varstream';

/** A local change not acknowledged yet. */
export interface PendingChange {
  /** `<client>:<seq>`, sent as `#vs change s=<seq>` (or `id=...` when made by another client id). */
  readonly id: string;
  /**
   * Absolute statements (dynamic segments `+`, `*`, `!` kept: they resolve
   * where applied). Text splices (`~=`) are rewritten as remote changes come
   * in (transformed against them), so that they always apply to the view.
   */
  statements: readonly Statement[];
  /** The statement lines sent to the server. */
  body: string;
  /**
   * The revision its splices are written against (`base=`): the confirmed
   * revision they were last transformed to; -1 before the first snapshot.
   */
  base: number;
  /**
   * The history `base` is a revision of: the epoch of the welcome before it
   * (undefined when not known: made before any welcome, or stored by an
   * older client). Restored in another history, the change is based anew.
   */
  epoch: string | undefined;
  /** Sent on the current connection. */
  sent: boolean;
  /**
   * Sent on some connection, or restored from storage (the page that stored
   * it may have sent it): the server may hold it under its id, so no later
   * edit merges into it (a re-send would be a duplicate, the edit lost).
   */
  outgone: boolean;
  /** Times it was sent again after a `SPLICE_STALE` refusal (under a new id). */
  retries: number;
  /** Concrete paths it touched the last time it was applied to the view. */
  touched: Path[];
  /** True when it did not apply on the current confirmed tree (the server will likely reject it). */
  skipped: boolean;
}

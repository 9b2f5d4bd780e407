import type { Path, Statement } from '@varstream/varstream';

/** A local change not acknowledged yet. */
export interface PendingChange {
  /** `<client>:<seq>`, sent as `#vs change s=<seq>` (or `id=...` when made by another client id). */
  readonly id: string;
  /** Absolute statements (dynamic segments `+`, `*`, `!` kept: they resolve where applied). */
  readonly statements: readonly Statement[];
  /** The statement lines sent to the server. */
  readonly body: string;
  /** Concrete paths it touched the last time it was applied to the view. */
  touched: Path[];
  /** True when it did not apply on the current confirmed tree (the server will likely reject it). */
  skipped: boolean;
}

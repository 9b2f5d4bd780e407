import type { Member } from './member.js';

/** Something a flush sends: a change section, a presence line, a leave line. */
export interface OutItem {
  text: string;
  /** The same item for members that announced the splice extension, when it differs (`~=` lines). */
  readonly spliceText?: string | undefined;
  /** The revision of a change section; 0 for presence and leave lines. */
  readonly rev: number;
  readonly author: Member | undefined;
  /** The author does not receive it (its own presence, its leave line); never a change section. */
  readonly skipAuthor: boolean;
}

/**
 * The frames of one flush. Most members get the same frame, built once as a
 * Buffer and shared: one for members that announced the splice extension
 * (they read `~=` lines), one for the others (the resulting values); a
 * member that must not see some items (its own presence, revisions its
 * welcome already held) gets a frame of its own. Change sections go to
 * every member, their author included.
 */
export class Outbox {
  readonly items: readonly OutItem[];
  readonly firstRev: number;
  readonly lastRev: number;
  readonly revisions: number;
  readonly #skip: ReadonlySet<Member>;
  #shared: Buffer | undefined;
  #sharedSplices: Buffer | undefined;
  /** Some item has a splice form. */
  readonly #hasSplices: boolean;

  constructor(items: readonly OutItem[]) {
    this.items = items;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    let revisions = 0;
    const skip = new Set<Member>();
    for (const item of items) {
      if (item.rev > 0) {
        if (item.rev < first) first = item.rev;
        if (item.rev > last) last = item.rev;
        revisions++;
      }
      if (item.skipAuthor && item.author !== undefined) skip.add(item.author);
    }
    this.firstRev = first;
    this.lastRev = last;
    this.revisions = revisions;
    this.#skip = skip;
    this.#hasSplices = items.some((item) => item.spliceText !== undefined);
  }

  /** How many shared frames were built (0 to 2). */
  get built(): number {
    return (this.#shared === undefined ? 0 : 1) + (this.#sharedSplices === undefined ? 0 : 1);
  }

  /**
   * The frame for a member that holds revisions up to `heldRev`, with the
   * number of revisions in it; undefined when there is nothing for it.
   */
  frameFor(
    member: Member,
    heldRev: number,
  ): { frame: Buffer | string; revisions: number } | undefined {
    if (this.items.length === 0) return undefined;
    const splices = member.splices && this.#hasSplices;
    if (heldRev < this.firstRev && !this.#skip.has(member)) {
      if (splices) {
        this.#sharedSplices ??= Buffer.from(
          this.items.map((item) => item.spliceText ?? item.text).join(''),
          'utf8',
        );
        return { frame: this.#sharedSplices, revisions: this.revisions };
      }
      this.#shared ??= Buffer.from(this.items.map((item) => item.text).join(''), 'utf8');
      return { frame: this.#shared, revisions: this.revisions };
    }
    let text = '';
    let revisions = 0;
    for (const item of this.items) {
      if (item.rev > 0 && item.rev <= heldRev) continue;
      if (item.skipAuthor && item.author === member) continue;
      text += splices ? (item.spliceText ?? item.text) : item.text;
      if (item.rev > 0) revisions++;
    }
    return text === '' ? undefined : { frame: text, revisions };
  }
}

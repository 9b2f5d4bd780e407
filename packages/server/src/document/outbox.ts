import type { Member } from './member.js';
import type { LiveHeads } from './revision.js';

/** Something a flush sends: a change section, a presence line, a leave line. */
export interface OutItem {
  /** The item in full (a change section: full head and body). */
  text: string;
  /** The same item for members that announced the splice extension, when it differs (`~=` lines). */
  readonly spliceText?: string | undefined;
  /** A change section's compact heads and its bodies. */
  readonly live?:
    | { readonly heads: LiveHeads; readonly body: string; readonly spliceBody?: string | undefined }
    | undefined;
  /** The revision of a change section; 0 for presence and leave lines. */
  readonly rev: number;
  readonly author: Member | undefined;
  /** The author does not receive it (its own presence, its leave line); never a change section. */
  readonly skipAuthor: boolean;
}

/** The frame one member gets from a flush, with the number of revisions in it. */
export interface MemberFrame {
  readonly frame: Buffer | string;
  readonly revisions: number;
}

/**
 * The frames of one flush. Most members get a frame built once as a Buffer
 * and shared by every member that reads the same kind: change sections with
 * compact heads (protocol version 2 and plain clients) or full ones
 * (version 1), with `~=` lines (splice extension) or their resulting
 * values; at most four, each built only when some member needs it. A member
 * that must not see some items (its own presence, revisions its welcome
 * already held) gets a frame of its own. Change sections go to every
 * member, their author included.
 */
export class Outbox {
  readonly items: readonly OutItem[];
  readonly firstRev: number;
  readonly lastRev: number;
  readonly revisions: number;
  readonly #skip: ReadonlySet<Member>;
  /** Shared frames by kind: compact (2) + splices (1). */
  readonly #shared: (Buffer | undefined)[] = [undefined, undefined, undefined, undefined];
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

  /** How many shared frames were built (0 to 4). */
  get built(): number {
    let built = 0;
    for (const frame of this.#shared) if (frame !== undefined) built++;
    return built;
  }

  /**
   * The frame for a member that holds revisions up to `heldRev`, with the
   * number of revisions in it; undefined when there is nothing for it.
   */
  frameFor(member: Member, heldRev: number): MemberFrame | undefined {
    if (this.items.length === 0) return undefined;
    const splices = member.splices && this.#hasSplices;
    // Shared by the members that hold the revision just before this flush's
    // first (in a live stream, all of them: compact heads imply every `rev`).
    const follows = this.revisions === 0 || heldRev === this.firstRev - 1;
    if (follows && !this.#skip.has(member)) {
      const kind = (member.compact ? 2 : 0) + (splices ? 1 : 0);
      const frame = (this.#shared[kind] ??= Buffer.from(
        this.#text(undefined, heldRev, member.compact, splices),
        'utf8',
      ));
      return { frame, revisions: this.revisions };
    }
    const text = this.#text(member, heldRev, member.compact, splices);
    if (text === '') return undefined;
    let revisions = 0;
    for (const item of this.items) if (item.rev > 0 && item.rev > heldRev) revisions++;
    return { frame: text, revisions };
  }

  /**
   * The items `member` may see after `heldRev`: change heads compact or
   * full, splices or not. A compact head says its revision only when it does
   * not follow the previous one the member got (`heldRev`, then each section).
   */
  #text(member: Member | undefined, heldRev: number, compact: boolean, splices: boolean): string {
    let text = '';
    let previousRev = heldRev;
    for (const item of this.items) {
      if (item.rev > 0 && item.rev <= heldRev) continue;
      if (item.skipAuthor && member !== undefined && item.author === member) continue;
      const live = item.live;
      if (!compact || live === undefined) {
        text += splices ? (item.spliceText ?? item.text) : item.text;
        continue;
      }
      // Compact: the revision is implied when it follows the previous one.
      text += item.rev === previousRev + 1 ? live.heads.next : live.heads.first;
      text += splices ? (live.spliceBody ?? live.body) : live.body;
      previousRev = item.rev;
    }
    return text;
  }
}

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
  /** Several Buffers: slices of a shared frame, one message in fragments. */
  readonly frame: Buffer | string | readonly Buffer[];
  readonly revisions: number;
}

/** A shared frame, and where in it each member's own items lie (byte ranges, in order). */
interface SharedFrame {
  readonly data: Buffer;
  readonly own: ReadonlyMap<Member, readonly (readonly [number, number])[]>;
}

/**
 * The frames of one flush. Most members get a frame built once as a Buffer
 * and shared by every member that reads the same kind: change sections with
 * compact heads (protocol version 2 and plain clients) or full ones
 * (version 1), with `~=` lines (splice extension) or their resulting
 * values; at most four, each built only when some member needs it. A member
 * that must not see its own items (its presence, its leave) gets the
 * shared frame around them: slices of the same Buffer, nothing built for it
 * (K members updating their presence in one flush used to build K frames of
 * K lines). A member whose welcome already held some of the revisions gets
 * a frame of its own. Change sections go to every member, their author
 * included.
 */
export class Outbox {
  readonly items: readonly OutItem[];
  readonly firstRev: number;
  readonly lastRev: number;
  readonly revisions: number;
  /** Shared frames by kind: compact (2) + splices (1). */
  readonly #shared: (SharedFrame | undefined)[] = [undefined, undefined, undefined, undefined];
  /** Some item has a splice form. */
  readonly #hasSplices: boolean;

  constructor(items: readonly OutItem[]) {
    this.items = items;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    let revisions = 0;
    for (const item of items) {
      if (item.rev > 0) {
        if (item.rev < first) first = item.rev;
        if (item.rev > last) last = item.rev;
        revisions++;
      }
    }
    this.firstRev = first;
    this.lastRev = last;
    this.revisions = revisions;
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
    if (follows) {
      const kind = (member.compact ? 2 : 0) + (splices ? 1 : 0);
      const shared = (this.#shared[kind] ??= this.#build(heldRev, member.compact, splices));
      const own = shared.own.get(member);
      if (own === undefined) return { frame: shared.data, revisions: this.revisions };
      const parts = around(shared.data, own);
      return parts.length === 0 ? undefined : { frame: parts, revisions: this.revisions };
    }
    const text = this.#text(member, heldRev, member.compact, splices);
    if (text === '') return undefined;
    let revisions = 0;
    for (const item of this.items) if (item.rev > 0 && item.rev > heldRev) revisions++;
    return { frame: text, revisions };
  }

  /** The shared frame of one kind, with the byte ranges of the items their authors skip. */
  #build(heldRev: number, compact: boolean, splices: boolean): SharedFrame {
    const own = new Map<Member, [number, number][]>();
    const pieces: string[] = [];
    let bytes = 0;
    this.#text(undefined, heldRev, compact, splices, (item, text) => {
      pieces.push(text);
      const start = bytes;
      bytes += Buffer.byteLength(text, 'utf8');
      if (!item.skipAuthor || item.author === undefined || text === '') return;
      const ranges = own.get(item.author);
      if (ranges === undefined) own.set(item.author, [[start, bytes]]);
      else ranges.push([start, bytes]);
    });
    return { data: Buffer.from(pieces.join(''), 'utf8'), own };
  }

  /**
   * The items `member` may see after `heldRev`: change heads compact or
   * full, splices or not. A compact head says its revision only when it does
   * not follow the previous one the member got (`heldRev`, then each section).
   */
  #text(
    member: Member | undefined,
    heldRev: number,
    compact: boolean,
    splices: boolean,
    each?: (item: OutItem, text: string) => void,
  ): string {
    let text = '';
    let previousRev = heldRev;
    for (const item of this.items) {
      if (item.rev > 0 && item.rev <= heldRev) continue;
      if (item.skipAuthor && member !== undefined && item.author === member) continue;
      const live = item.live;
      let piece: string;
      if (!compact || live === undefined) {
        piece = splices ? (item.spliceText ?? item.text) : item.text;
      } else {
        // Compact: the revision is implied when it follows the previous one.
        piece = item.rev === previousRev + 1 ? live.heads.next : live.heads.first;
        piece += splices ? (live.spliceBody ?? live.body) : live.body;
        previousRev = item.rev;
      }
      if (each === undefined) text += piece;
      else each(item, piece);
    }
    return text;
  }
}

/** `data` without the byte ranges `skipped` (in order, not overlapping): slices, no copy. */
function around(data: Buffer, skipped: readonly (readonly [number, number])[]): Buffer[] {
  const parts: Buffer[] = [];
  let from = 0;
  for (const [start, end] of skipped) {
    if (start > from) parts.push(data.subarray(from, start));
    from = end;
  }
  if (from < data.length) parts.push(data.subarray(from));
  return parts;
}

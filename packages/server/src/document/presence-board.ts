import { formatMeta, Verb } from '@varstream/protocol';
import type { Member } from './member.js';
import type { OutItem } from './outbox.js';

/**
 * The presence of a document's members: the current line of each (for the
 * welcome of newcomers) and the updates waiting for the next flush, merged
 * per member (the last one wins). Never stored anywhere else.
 */
export class PresenceBoard {
  readonly #lines = new Map<Member, string>();
  #pending = new Map<Member, OutItem>();

  /**
   * Replaces a member's presence (no fields: cleared). Returns the item to
   * queue for the flush, or undefined when one is queued already (updated).
   */
  set(member: Member, fields: Record<string, string>): OutItem | undefined {
    const text = `${formatMeta(Verb.PRESENCE, { conn: member.id, ...fields })}\n`;
    if (Object.keys(fields).length === 0) this.#lines.delete(member);
    else this.#lines.set(member, text);
    const pending = this.#pending.get(member);
    if (pending !== undefined) {
      pending.text = text;
      return undefined;
    }
    const item: OutItem = { text, rev: 0, author: member, skipAuthor: true };
    this.#pending.set(member, item);
    return item;
  }

  /** A member left: its presence is gone, its pending update is not sent. */
  remove(member: Member): void {
    this.#lines.delete(member);
    const pending = this.#pending.get(member);
    if (pending !== undefined) {
      pending.text = '';
      this.#pending.delete(member);
    }
  }

  /** A member's presence line, if it has one. */
  lineOf(member: Member): string | undefined {
    return this.#lines.get(member);
  }

  /** Sets a member's line without telling anyone (a replica being loaded from a saved state). */
  restore(member: Member, line: string): void {
    this.#lines.set(member, line);
  }

  /** The presence lines of everyone but `member` (for its welcome). */
  linesFor(member: Member): string {
    let text = '';
    for (const [other, line] of this.#lines) if (other !== member) text += line;
    return text;
  }

  /** The pending updates are being flushed: later ones start new items. */
  flushed(): void {
    this.#pending = new Map();
  }

  clear(): void {
    this.#lines.clear();
    this.#pending = new Map();
  }
}

import type { Member } from './member.js';

interface Reply {
  /** The document's revision when it was queued: sent once that revision is durable. */
  readonly rev: number;
  readonly text: string;
}

/**
 * Lines for one member only (rejections, acks, pongs, errors). Each waits
 * for the revision that was current when it was queued to be durable, so a
 * client always hears about its accepted changes before what followed them.
 */
export class ReplyQueues {
  readonly #queues = new Map<Member, Reply[]>();
  readonly #drains = new Map<Member, () => void>();

  push(member: Member, rev: number, line: string): void {
    let queue = this.#queues.get(member);
    if (queue === undefined) {
      queue = [];
      this.#queues.set(member, queue);
    }
    queue.push({ rev, text: `${line}\n` });
  }

  /** Sends, as one frame per member, the replies whose revision is durable. */
  deliver(durableRev: number): void {
    for (const [member, queue] of this.#queues) {
      let text = '';
      let sent = 0;
      while (sent < queue.length && queue[sent]!.rev <= durableRev) text += queue[sent++]!.text;
      if (sent === queue.length) this.#queues.delete(member);
      else queue.splice(0, sent);
      if (text !== '') member.send(text);
    }
    for (const [member, resolve] of this.#drains) {
      if (this.#queues.has(member)) continue;
      this.#drains.delete(member);
      resolve();
    }
  }

  /** Resolves once every reply queued for `member` has been sent (or dropped). */
  drained(member: Member): Promise<void> {
    if (!this.#queues.has(member)) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#drains.get(member);
      this.#drains.set(member, () => {
        previous?.();
        resolve();
      });
    });
  }

  /** Forgets a member's replies (it left). */
  drop(member: Member): void {
    this.#queues.delete(member);
    this.#drains.get(member)?.();
    this.#drains.delete(member);
  }

  clear(): void {
    this.#queues.clear();
    for (const resolve of this.#drains.values()) resolve();
    this.#drains.clear();
  }
}

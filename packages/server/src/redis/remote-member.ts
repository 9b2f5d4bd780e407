import type { Member } from '../document/member.js';

/**
 * A connection of another node, as this node's copy of the document sees
 * it: its changes, presence and leave reach this node's members; nothing is
 * ever sent to it from here (its own node does that).
 */
export class RemoteMember implements Member {
  readonly id: string;
  /** Nothing is sent to it from here: the kind of frames it reads does not matter. */
  readonly splices = false;
  readonly compact = true;

  constructor(id: string) {
    this.id = id;
  }

  send(): void {}

  sendWelcome(): void {}

  close(): void {}
}

import type { PresenceState } from '../presence/presence.js';

/** A peer editing a field: its connection id and presence state. */
export interface Peer {
  readonly conn: string;
  readonly state: PresenceState;
}

/** Groups the others' presence by the path they focus (`focus` field). */
export function peersByFocus(presence: ReadonlyMap<string, PresenceState>): Map<string, Peer[]> {
  const out = new Map<string, Peer[]>();
  for (const [conn, state] of presence) {
    const focus = state.focus;
    if (focus === undefined || focus === '') continue;
    let list = out.get(focus);
    if (list === undefined) out.set(focus, (list = []));
    list.push({ conn, state });
  }
  return out;
}

/** How a peer is named in markers: its `name`, else its connection id. */
export function peerLabel(peer: Peer): string {
  return peer.state.name ?? peer.conn;
}

/**
 * Marks an element with the peers editing it: `data-peers` holds their
 * labels (comma-separated), `data-peer-colors` their `color` fields, and
 * both are removed when nobody is there. Style with `[data-peers]`.
 */
export function markPeers(element: Element, peers: readonly Peer[]): void {
  if (peers.length === 0) {
    element.removeAttribute('data-peers');
    element.removeAttribute('data-peer-colors');
    return;
  }
  element.setAttribute('data-peers', peers.map(peerLabel).join(', '));
  const colors = peers.map((p) => p.state.color).filter((c) => c !== undefined);
  if (colors.length > 0) element.setAttribute('data-peer-colors', colors.join(' '));
  else element.removeAttribute('data-peer-colors');
}

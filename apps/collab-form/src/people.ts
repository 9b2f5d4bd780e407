import type { PresenceState } from '@varstream/client';
import { type Peer, peerLabel, peersByFocus } from '@varstream/client/dom';
import { FIELD_LABELS, FIELDS, type FieldName, FORM_PATH } from './fields.js';
import { type Identity, isColor, textColorOn } from './identity.js';

const FALLBACK_COLOR = '#5f6b7a';

function colorOf(state: PresenceState): string {
  return isColor(state.color) ? state.color : FALLBACK_COLOR;
}

function nameOf(peer: Peer): string {
  const name = peerLabel(peer).trim().slice(0, 40);
  return name || peer.conn;
}

function focusedField(focus: string | undefined): FieldName | undefined {
  return FIELDS.find((f) => focus === `${FORM_PATH}.${f}`);
}

function chip(doc: Document, name: string, color: string): HTMLSpanElement {
  const span = doc.createElement('span');
  span.className = 'chip';
  span.textContent = name;
  span.style.setProperty('--chip', color);
  span.style.setProperty('--chip-text', textColorOn(color));
  return span;
}

/** Markers next to each field's label: who else has it focused. */
export function renderFieldPeers(
  root: Document,
  presence: ReadonlyMap<string, PresenceState>,
): void {
  const byFocus = peersByFocus(presence);
  for (const field of FIELDS) {
    const peers = byFocus.get(`${FORM_PATH}.${field}`) ?? [];
    const slot = root.querySelector<HTMLElement>(`[data-peers-for="${field}"]`);
    if (slot !== null) {
      slot.replaceChildren(...peers.map((p) => chip(root, nameOf(p), colorOf(p.state))));
    }
    // The field's accessible description (`aria-describedby`): the chips are
    // hidden from screen readers, which hear this sentence instead.
    const editing = root.getElementById(`${field}-editing`);
    if (editing !== null) {
      editing.textContent =
        peers.length > 0
          ? `${peers.map(nameOf).join(', ')} ${peers.length > 1 ? 'are' : 'is'} editing this field`
          : '';
    }
    const input = root.getElementById(field);
    if (input !== null) {
      if (peers[0] !== undefined) input.style.setProperty('--peer', colorOf(peers[0].state));
      else input.style.removeProperty('--peer');
    }
  }
}

/** The "who is here" list: you first, then everyone else with the field they are in. */
export function renderPeople(
  list: HTMLUListElement,
  count: HTMLElement,
  me: Identity,
  presence: ReadonlyMap<string, PresenceState>,
): void {
  const doc = list.ownerDocument;
  const row = (name: string, color: string, detail: string, self: boolean) => {
    const li = doc.createElement('li');
    if (self) li.className = 'self';
    const dot = doc.createElement('span');
    dot.className = 'avatar';
    dot.style.setProperty('--chip', color);
    dot.style.setProperty('--chip-text', textColorOn(color));
    dot.textContent = initials(name);
    dot.setAttribute('aria-hidden', 'true');
    const who = doc.createElement('span');
    who.className = 'name';
    who.textContent = name;
    const what = doc.createElement('span');
    what.className = 'detail';
    what.textContent = detail;
    li.append(dot, who, what);
    return li;
  };
  const items = [row(me.name || 'You', me.color, 'you', true)];
  const peers = [...presence].map(([conn, state]) => ({ conn, state }));
  peers.sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  for (const peer of peers) {
    const field = focusedField(peer.state.focus);
    const detail = field === undefined ? 'here' : `editing ${FIELD_LABELS[field]}`;
    const li = row(nameOf(peer), colorOf(peer.state), detail, false);
    li.dataset.conn = peer.conn;
    items.push(li);
  }
  list.replaceChildren(...items);
  const n = peers.length + 1;
  count.textContent = `(${n})`;
}

function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => [...w][0]!.toUpperCase()).join('') || '?';
}

import type { VarStreamDocument } from '../document/types.js';
import { toPath } from '../paths/path-input.js';
import type { PresenceInput } from '../presence/presence.js';
import {
  type FieldElement,
  type FieldGroup,
  findFields,
  readField,
  sameValue,
  textOf,
  writeField,
} from './fields.js';
import { markPeers, peersByFocus } from './peers.js';
import { appendedText, diffText, moveOffset } from './text-edit.js';

export interface BindFormOptions {
  /** The subtree the form edits (`'form'`). Default: the root. */
  path?: string;
  /** This user's presence fields (`name`, `color`...), added to the document's; `focus` is set while a field has focus. */
  presence?: PresenceInput;
  /** Set `focus` in presence and mark fields with `data-peers`. Default true. */
  showPeers?: boolean;
  /** Called when a field edit cannot be written (the field is then reset to the document's value). */
  onError?: (error: unknown) => void;
}

interface BoundGroup extends FieldGroup {
  /** Text fields: the document value the field showed last (edits are measured from it). */
  synced: string;
  /** A remote value arrived during an IME composition: show it after. */
  stale: boolean;
}

/**
 * Binds the fields of `container` (a `<form>` or any element) to a subtree of
 * `doc`: each field by its `name` (or `id`), read as a path under `options.path`.
 * Typing that appends sends `+=` (two people appending both survive), other
 * edits send `=`; text stays text. Remote updates keep the caret where the
 * user expects, and never touch a field during IME composition. Returns the
 * function that unbinds.
 */
export function bindForm(
  doc: VarStreamDocument,
  container: Element,
  options: BindFormOptions = {},
): () => void {
  const base = toPath(options.path ?? '');
  const showPeers = options.showPeers !== false;
  const groups = findFields(container, base).map(
    (g): BoundGroup => ({ ...g, synced: '', stale: false }),
  );
  const byElement = new Map<FieldElement, BoundGroup>();
  for (const g of groups) for (const el of g.elements) byElement.set(el, g);
  const composing = new Set<FieldElement>();
  const cleanups: (() => void)[] = [];

  const fail = (group: BoundGroup, err: unknown) => {
    show(group, doc.get(group.path));
    options.onError?.(err);
  };

  /** Shows a document value; text fields keep their caret and selection. */
  const show = (group: BoundGroup, value: unknown) => {
    if (group.kind !== 'text') {
      if (!sameValue(readField(group), value)) writeField(group, value);
      return;
    }
    const text = textOf(value);
    group.synced = text;
    for (const el of group.elements) {
      const before = el.value;
      if (before === text) continue;
      const focused = el.ownerDocument.activeElement === el && 'setSelectionRange' in el;
      const start = focused ? (el as HTMLInputElement).selectionStart : null;
      const end = focused ? (el as HTMLInputElement).selectionEnd : null;
      el.value = text;
      if (start !== null && end !== null) {
        const change = diffText(before, text);
        // A caret at the end follows text appended there: the user's next
        // keystroke stays an append (`+=`), which merges with the other's,
        // instead of an insertion before it, sent as a whole-value `=`.
        const follow =
          start === end &&
          start === before.length &&
          change.start === before.length &&
          change.removed === 0;
        try {
          (el as HTMLInputElement).setSelectionRange(
            follow ? text.length : moveOffset(start, change),
            follow ? text.length : moveOffset(end, change),
            (el as HTMLInputElement).selectionDirection ?? undefined,
          );
        } catch {
          // Input types without a selection (email, number).
        }
      }
    }
  };

  /** Sends what the user did to a field. */
  const send = (group: BoundGroup, el: FieldElement) => {
    try {
      if (group.kind !== 'text') {
        const value = readField(group);
        if (sameValue(value, doc.get(group.path))) return;
        if (value === undefined) doc.delete(group.path);
        else doc.set(group.path, value);
        return;
      }
      const next = el.value;
      const before = group.synced;
      if (next === before) return;
      const current = doc.get(group.path);
      const suffix = appendedText(before, next);
      const appendable = typeof current === 'string' || (current === undefined && before === '');
      if (suffix !== undefined && appendable) doc.apply('+=', group.path, suffix);
      else doc.set(group.path, next);
      group.synced = next;
    } catch (err) {
      fail(group, err);
    }
  };

  const onInput = (event: Event) => {
    const el = event.target as FieldElement;
    const group = byElement.get(el);
    if (group === undefined) return;
    if (composing.has(el) || (event as InputEvent).isComposing === true) return;
    send(group, el);
  };

  const onCompositionStart = (event: Event) => {
    const el = event.target as FieldElement;
    if (byElement.has(el)) composing.add(el);
  };

  const onCompositionEnd = (event: Event) => {
    const el = event.target as FieldElement;
    const group = byElement.get(el);
    if (group === undefined) return;
    composing.delete(el);
    send(group, el);
    if (group.stale) {
      group.stale = false;
      show(group, doc.get(group.path));
    }
  };

  const focusState = (focus: string | undefined) => {
    doc.setPresence({ ...doc.localPresence, ...options.presence, focus });
  };
  const onFocusIn = (event: Event) => {
    const group = byElement.get(event.target as FieldElement);
    if (group !== undefined) focusState(group.pathText);
  };
  const onFocusOut = (event: Event) => {
    const group = byElement.get(event.target as FieldElement);
    const next = byElement.get((event as FocusEvent).relatedTarget as FieldElement);
    if (group !== undefined && next === undefined) focusState(undefined);
  };

  const listen = (type: string, handler: (event: Event) => void) => {
    container.addEventListener(type, handler);
    cleanups.push(() => container.removeEventListener(type, handler));
  };
  listen('input', onInput);
  listen('change', onInput);
  listen('compositionstart', onCompositionStart);
  listen('compositionend', onCompositionEnd);
  if (showPeers) {
    listen('focusin', onFocusIn);
    listen('focusout', onFocusOut);
    if (options.presence !== undefined) focusState(undefined);
    const render = (presence: VarStreamDocument['presence']) => {
      const focus = peersByFocus(presence);
      for (const g of groups)
        for (const el of g.elements) markPeers(el, focus.get(g.pathText) ?? []);
    };
    render(doc.presence);
    cleanups.push(doc.on('presence', render));
    cleanups.push(() => {
      for (const g of groups) for (const el of g.elements) markPeers(el, []);
    });
  }

  for (const group of groups) {
    const value = doc.get(group.path);
    if (value !== undefined) show(group, value);
    else if (group.kind === 'text') group.synced = group.elements[0]!.value;
    cleanups.push(
      doc.subscribe(group.path, (next) => {
        if (group.elements.some((el) => composing.has(el))) {
          group.stale = true;
          return;
        }
        show(group, next);
      }),
    );
  }

  return () => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  };
}

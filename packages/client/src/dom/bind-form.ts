import {
  applyTextOp,
  checkTextOp,
  composeTextOps,
  type TextOp,
  transformPosition,
  transformTextOp,
} from '@varstream/varstream';
import type { VarStreamDocument } from '../document/types.js';
import { toPath } from '../paths/path-input.js';
import { samePath } from '../paths/same-path.js';
import type { PresenceInput } from '../presence/presence.js';
import { textDiff } from '../view/text-diff.js';
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
import { appendedText, diffText, moveOffset, replacesAll } from './text-edit.js';

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
  /** Remote text operations on the value `synced` holds, not shown yet (for the caret). */
  ops: TextOp[];
}

/**
 * Binds the fields of `container` (a `<form>` or any element) to a subtree of
 * `doc`: each field by its `name` (or `id`), read as a path under `options.path`.
 * With a server that speaks text splices (`doc.splices`), every text edit
 * but a whole replacement is sent as a splice (`~=`, appends included), so
 * two people typing in the same field, at the same place or not, both keep
 * their text and each one's words stay together; a whole replacement sends
 * `=`. Without it, appending sends `+=` and other edits `=`. Remote updates
 * move the caret and selection by the exact remote operation (text typed
 * before them pushes them along, text typed at them stays after them), and
 * never touch a field during IME composition: the composed text is sent when
 * it ends, merged with what arrived meanwhile. Returns the function that
 * unbinds.
 */
export function bindForm(
  doc: VarStreamDocument,
  container: Element,
  options: BindFormOptions = {},
): () => void {
  const base = toPath(options.path ?? '');
  const showPeers = options.showPeers !== false;
  const groups = findFields(container, base).map(
    (g): BoundGroup => ({ ...g, synced: '', stale: false, ops: [] }),
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
    const ops = group.ops;
    group.ops = [];
    group.synced = text;
    for (const el of group.elements) {
      const before = el.value;
      if (before === text) continue;
      const focused = el.ownerDocument.activeElement === el && 'setSelectionRange' in el;
      const start = focused ? (el as HTMLInputElement).selectionStart : null;
      const end = focused ? (el as HTMLInputElement).selectionEnd : null;
      el.value = text;
      if (start !== null && end !== null) {
        const move = caretMover(before, text, ops, doc.splices, start === end);
        try {
          (el as HTMLInputElement).setSelectionRange(
            move(start),
            move(end),
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
      if (doc.splices && typeof current === 'string' && !replacesAll(before, next)) {
        sendSplices(group, el, before, next, current);
        return;
      }
      const suffix = appendedText(before, next);
      const appendable = typeof current === 'string' || (current === undefined && before === '');
      if (suffix !== undefined && appendable) doc.apply('+=', group.path, suffix);
      else doc.set(group.path, next);
      group.synced = next;
    } catch (err) {
      fail(group, err);
    }
  };

  /**
   * Sends the user's edit (`before` → `next`) as splices. When the document
   * moved on meanwhile (remote text arrived during an IME composition), the
   * edit is transformed over that first, and the field shows the merge.
   */
  const sendSplices = (
    group: BoundGroup,
    el: FieldElement,
    before: string,
    next: string,
    current: string,
  ) => {
    let local: TextOp = textDiff(before, next);
    let remote: TextOp | undefined;
    if (current !== before) {
      const shown = applyOps(before, group.ops);
      const remoteOps = shown === current ? group.ops : [textDiff(before, current)];
      for (const op of remoteOps) {
        const mine = transformTextOp(local, op, 'left');
        remote = composeAfter(remote, transformTextOp(op, local, 'right'));
        local = mine;
      }
    }
    group.ops = [];
    if (local.length > 0) doc.editText(group.path, local);
    const merged = textOf(doc.get(group.path));
    group.synced = merged;
    if (remote === undefined || el.value === merged) return;
    const start = (el as HTMLInputElement).selectionStart;
    const end = (el as HTMLInputElement).selectionEnd;
    el.value = merged;
    if (start !== null && end !== null && 'setSelectionRange' in el) {
      try {
        (el as HTMLInputElement).setSelectionRange(
          transformPosition(start, remote, 'before'),
          transformPosition(end, remote, 'before'),
        );
      } catch {
        // Input types without a selection.
      }
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
    // A closed document has no presence to tell (setPresence throws CLOSED).
    if (doc.status === 'closed') return;
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

  cleanups.push(
    doc.on('text', (path, op) => {
      for (const group of groups) if (samePath(group.path, path)) group.ops.push(op);
    }),
  );

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

/**
 * How a caret moves when a field's text goes from `before` to `after`: by
 * the remote operations when the document merges splices and they are known
 * and lead there (exact: text typed at the caret stays after it), else by the smallest single
 * replacement between the two texts. Without splices, a caret (not a
 * selection) at the end
 * follows text appended there, so that the user's next keystroke is still an
 * append (`+=`, which merges) rather than an insertion sent as a `=`.
 */
function caretMover(
  before: string,
  after: string,
  ops: readonly TextOp[],
  splices: boolean,
  collapsed: boolean,
): (offset: number) => number {
  if (splices && ops.length > 0 && applyOps(before, ops) === after) {
    return (offset) => {
      let moved = offset;
      for (const op of ops) moved = transformPosition(moved, op, 'before');
      return moved;
    };
  }
  const change = diffText(before, after);
  const appendedAtEnd = change.start === before.length && change.removed === 0;
  return (offset) =>
    !splices && collapsed && appendedAtEnd && offset === before.length
      ? after.length
      : moveOffset(offset, change);
}

/** `text` after the operations, or undefined when one does not apply. */
function applyOps(text: string, ops: readonly TextOp[]): string | undefined {
  let out = text;
  for (const op of ops) {
    if (checkTextOp(out, op) !== undefined) return undefined;
    out = applyTextOp(out, op);
  }
  return out;
}

function composeAfter(first: TextOp | undefined, second: TextOp): TextOp {
  return first === undefined ? second : composeTextOps(first, second);
}

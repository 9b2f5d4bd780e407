import type { VarStreamDocument } from '@varstream/client';

type TextField = HTMLInputElement | HTMLTextAreaElement;

function textField(el: Element | null, container: Element): TextField | undefined {
  if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement)) return undefined;
  if (!container.contains(el) || el.selectionStart === null) return undefined;
  return el;
}

/**
 * Keeps a caret that sits at the end of the focused text field at the end
 * when a remote change appends to that field.
 *
 * VarStream merges concurrent typing through appends (`+=`): two people
 * typing at the end of the same textarea both keep their text only if each
 * keystroke stays an append. `bindForm` leaves a caret in front of text
 * inserted exactly at it, so after someone else's append the next keystroke
 * lands before their text, is sent as a whole-value `=`, and can overwrite
 * appends still in flight. Wrapping the document given to `bindForm` lets the
 * caret follow the end instead (a caret anywhere else is left to the binding).
 */
export function caretFollowsAppends(doc: VarStreamDocument, container: Element): VarStreamDocument {
  const subscribe = (pattern: string, listener: (value: unknown, path: string) => void) =>
    doc.subscribe(pattern, (value: unknown, path: string) => {
      const field = textField(container.ownerDocument.activeElement, container);
      const before = field?.value;
      const atEnd =
        field !== undefined &&
        before !== undefined &&
        field.selectionStart === before.length &&
        field.selectionEnd === before.length;
      listener(value, path);
      if (!atEnd) return;
      const after = field.value;
      if (after.length > before.length && after.startsWith(before)) {
        field.setSelectionRange(after.length, after.length);
      }
    });
  return new Proxy(doc, {
    get(target, property) {
      if (property === 'subscribe') return subscribe;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

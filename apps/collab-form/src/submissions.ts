import { formatString } from '@varstream/varstream';
import { asText, FIELDS, FORM_PATH, SUBMISSIONS_PATH } from './fields.js';

/**
 * One change that appends the form to the submissions and clears it, in the
 * style of the original demo:
 *
 *     submissions.+.firstname=Mickaël
 *     ^.lastname=Vendetta
 *     ...
 *     form.firstname=""
 *     ^.lastname=""
 *
 * Atomic on the server: nobody sees the form sent but not cleared.
 */
export function sendChange(values: Readonly<Record<string, string>>): string {
  let text = '';
  FIELDS.forEach((field, i) => {
    const path = i === 0 ? `${SUBMISSIONS_PATH}.+.${field}` : `^.${field}`;
    text += `${path}=${formatString(values[field] ?? '')}\n`;
  });
  FIELDS.forEach((field, i) => {
    text += `${i === 0 ? `${FORM_PATH}.${field}` : `^.${field}`}=""\n`;
  });
  return text;
}

const SHOWN = 50;

/** Renders the submissions, newest first (the last 50). */
export function renderSubmissions(
  list: HTMLOListElement,
  count: HTMLElement,
  empty: HTMLElement,
  value: unknown,
): void {
  const items = Array.isArray(value) ? value : [];
  count.textContent = items.length > 0 ? `(${items.length})` : '';
  empty.hidden = items.length > 0;
  const doc = list.ownerDocument;
  const fragment = doc.createDocumentFragment();
  for (let i = items.length - 1; i >= Math.max(0, items.length - SHOWN); i--) {
    const entry: Record<string, unknown> =
      typeof items[i] === 'object' && items[i] !== null ? items[i] : {};
    const get = (key: string) => asText(entry[key]);
    const li = doc.createElement('li');
    li.className = 'submission';
    li.value = i + 1;

    const head = doc.createElement('p');
    head.className = 'who';
    const name = `${get('firstname')} ${get('lastname')}`.trim();
    head.textContent = name || 'Anonymous';
    if (get('email')) {
      const email = doc.createElement('span');
      email.className = 'email';
      email.textContent = get('email');
      head.append(' ', email);
    }
    li.append(head);

    if (get('subject')) {
      const subject = doc.createElement('p');
      subject.className = 'subject';
      subject.textContent = get('subject');
      li.append(subject);
    }
    if (get('message')) {
      const message = doc.createElement('p');
      message.className = 'message';
      message.textContent = get('message');
      li.append(message);
    }
    fragment.append(li);
  }
  list.replaceChildren(fragment);
}

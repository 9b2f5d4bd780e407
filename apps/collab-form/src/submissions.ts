import { formatSplice, formatString } from '@varstream/varstream';
import { asText, FIELDS, FORM_PATH, SUBMISSIONS_PATH } from './fields.js';

/**
 * One change that appends the form to the submissions and clears it, in the
 * style of the original demo:
 *
 *     submissions.+.firstname=Mickaël
 *     ^.lastname=Vendetta
 *     ...
 *     form.firstname~=0,7
 *     form.lastname~=0,8
 *
 * Atomic on the server: nobody sees the form sent but not cleared. With a
 * server that merges splices (`splices`), each field is cleared by deleting
 * the text that was sent (`~=0,<length>`), so what another page typed
 * meanwhile, which the submission does not hold, stays in the form (a `=""`
 * would void it, PROTOCOL.md 3.6); without, and for a value that is not a
 * string, by `=""`.
 */
export function sendChange(form: Readonly<Record<string, unknown>>, splices: boolean): string {
  let text = '';
  FIELDS.forEach((field, i) => {
    const path = i === 0 ? `${SUBMISSIONS_PATH}.+.${field}` : `^.${field}`;
    text += `${path}=${formatString(asText(form[field]))}\n`;
  });
  for (const field of FIELDS) {
    const value = form[field];
    if (splices && typeof value === 'string') {
      if (value !== '')
        text += `${FORM_PATH}.${field}${formatSplice({ at: 0, del: value.length, text: '' })}\n`;
    } else if (value !== undefined) text += `${FORM_PATH}.${field}=""\n`;
  }
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

import type { Status, VarStreamDocument } from '@varstream/client';
import { bindForm, connect } from '@varstream/client/dom';
import { stringify } from '@varstream/varstream';
import { asText, FIELDS, FORM_PATH, SUBMISSIONS_PATH } from './fields.js';
import {
  freeColor,
  freeName,
  type Identity,
  isColor,
  loadIdentity,
  saveIdentity,
} from './identity.js';
import { renderFieldPeers, renderPeople } from './people.js';
import { renderSubmissions, sendChange } from './submissions.js';
import { claimTabName } from './tab-name-claim.js';
import { tappedWebSocket, WireLog } from './wire.js';

function $<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing from the page`);
  return el as T;
}

const ui = {
  connection: $('connection'),
  status: $('status'),
  pending: $('pending'),
  form: $<HTMLFormElement>('contact'),
  send: $<HTMLButtonElement>('send'),
  myName: $<HTMLInputElement>('my-name'),
  myColor: $<HTMLInputElement>('my-color'),
  people: $<HTMLUListElement>('people'),
  peopleCount: $('people-count'),
  submissions: $<HTMLOListElement>('submissions'),
  submissionsCount: $('submissions-count'),
  submissionsEmpty: $('submissions-empty'),
  wire: $('wire'),
  tree: $('tree'),
  rev: $('rev'),
  notice: $('notice'),
};

/** The default document of the server this page came from (through Vite's proxy in dev). */
const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/`;

let noticeTimer: ReturnType<typeof setTimeout> | undefined;
/** A message in the alert bar: gone after 8 s unless sticky. */
function notice(text: string, sticky = false): void {
  ui.notice.textContent = text;
  ui.notice.hidden = false;
  clearTimeout(noticeTimer);
  if (!sticky) noticeTimer = setTimeout(() => (ui.notice.hidden = true), 8_000);
}

const me: Identity = loadIdentity();
const wire = new WireLog(ui.wire, 200);

const doc: VarStreamDocument = connect(url, {
  WebSocket: tappedWebSocket((direction, text) => {
    wire.add(direction, text);
    // An acknowledgement moves the revision without changing the view.
    if (direction === 'in') scheduleRender();
  }),
  presence: { name: me.name, color: me.color },
});

// --- the form ---------------------------------------------------------------

let unbind = bind();

function bind(): () => void {
  return bindForm(doc, ui.form, {
    path: FORM_PATH,
    presence: { name: me.name, color: me.color },
    onError: (err) => {
      console.warn('collab-form: could not write a field', err);
      notice(`That edit could not be applied: ${(err as Error).message}`);
    },
  });
}

function formValues(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of FIELDS) values[field] = asText(doc.get([FORM_PATH, field]));
  return values;
}

ui.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (Object.values(formValues()).every((v) => v === '')) return;
  const form: Record<string, unknown> = {};
  for (const field of FIELDS) form[field] = doc.get([FORM_PATH, field]);
  try {
    doc.applyText(sendChange(form, doc.splices));
  } catch (err) {
    // E.g. `submissions` is not a list (someone wrote something else there).
    console.warn('collab-form: could not send', err);
    notice(`Could not send the form: ${(err as Error).message}`);
  }
});

// --- you --------------------------------------------------------------------

ui.myName.value = me.name;
ui.myColor.value = me.color;
let identityTimer: ReturnType<typeof setTimeout> | undefined;

function identityChanged(delayMs = 200): void {
  saveIdentity(me);
  renderPeopleNow();
  clearTimeout(identityTimer);
  // Rebinding sends the new presence (and uses it for the next focus).
  identityTimer = setTimeout(() => {
    unbind();
    unbind = bind();
    // A fresh binding announces no focus: say which field still has it.
    const active = document.activeElement;
    if (
      active instanceof HTMLElement &&
      ui.form.contains(active) &&
      FIELDS.some((f) => f === active.id)
    ) {
      doc.setPresence({ name: me.name, color: me.color, focus: `${FORM_PATH}.${active.id}` });
    }
  }, delayMs);
}
ui.myName.addEventListener('input', () => {
  const name = ui.myName.value.trim().slice(0, 40);
  if (name !== '') {
    me.name = name;
    me.nameChosen = true;
    me.nameNew = false;
  }
  identityChanged();
});
ui.myColor.addEventListener('input', () => {
  if (!isColor(ui.myColor.value)) return;
  me.color = ui.myColor.value.toLowerCase();
  me.colorChosen = true;
  identityChanged();
});
ui.myName.addEventListener('change', () => {
  if (ui.myName.value.trim() === '') ui.myName.value = me.name;
});

// --- status -----------------------------------------------------------------

const STATUS_TEXT: Record<Status, string> = {
  connecting: 'Connecting…',
  open: 'Connected',
  offline: 'Offline, reconnecting…',
  closed: 'Closed',
};

function renderStatus(): void {
  const status = doc.status;
  const pending = doc.pending;
  ui.connection.dataset.status = status;
  if (ui.status.textContent !== STATUS_TEXT[status]) ui.status.textContent = STATUS_TEXT[status];
  ui.pending.dataset.pending = String(pending);
  ui.pending.hidden = pending === 0;
  ui.pending.textContent =
    status === 'open'
      ? `${pending} unacknowledged`
      : `${pending} change${pending === 1 ? '' : 's'} kept, sent on reconnect`;
  document.body.dataset.status = status;
}
doc.on('status', renderStatus);
doc.on('pending', renderStatus);

doc.on('reject', (rejection) => {
  console.warn('collab-form: change refused', rejection);
  notice(`The server refused a change (${rejection.code}): ${rejection.message}. It was undone.`);
});
doc.on('error', (error) => {
  console.warn('collab-form:', error);
  // Fatal: the document closed and will not reconnect (bad URL, refused origin...).
  if (doc.status === 'closed')
    notice(`Disconnected for good: ${error.message}. Reload to retry.`, true);
});

// --- presence ---------------------------------------------------------------

function renderPeopleNow(): void {
  renderPeople(ui.people, ui.peopleCount, me, doc.presence);
  renderFieldPeers(document, doc.presence);
}
doc.on('presence', renderPeopleNow);

// Two tabs of this browser never share a generated name.
claimTabName(me, () => {
  const name = freeName(
    new Set([me.name, ...[...doc.presence.values()].map((p) => String(p.name ?? ''))]),
  );
  if (name === undefined) return;
  me.name = name;
  ui.myName.value = name;
  identityChanged(0);
});

// A newcomer whose freshly generated name or random colour is already taken
// takes a free one (on arrival only: people who were here first keep theirs,
// a reloaded tab keeps its name, and what the person chose is never changed).
const arrival = Date.now();
const stopArrivalCheck = doc.on('presence', (peers) => {
  if ((!me.nameNew && me.colorChosen) || Date.now() - arrival > 5_000) {
    stopArrivalCheck();
    return;
  }
  let changed = false;
  const names = new Set([...peers.values()].map((p) => String(p.name ?? '')));
  const name = me.nameNew && names.has(me.name) ? freeName(names) : undefined;
  if (name !== undefined) {
    me.name = name;
    ui.myName.value = name;
    changed = true;
  }
  const colors = new Set([...peers.values()].map((p) => p.color?.toLowerCase() ?? ''));
  const color = !me.colorChosen && colors.has(me.color) ? freeColor(colors) : undefined;
  if (color !== undefined) {
    me.color = color;
    ui.myColor.value = color;
    changed = true;
  }
  if (changed) identityChanged(0);
});

// --- the tree and the submissions ---------------------------------------------

let renderQueued = false;
let submissionsChanged = true;
doc.subscribe(SUBMISSIONS_PATH, () => (submissionsChanged = true));

function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  queueMicrotask(() => {
    renderQueued = false;
    renderDocument();
  });
}

function renderDocument(): void {
  const root = doc.get('');
  const empty =
    root === undefined ||
    (typeof root === 'object' && root !== null && Object.keys(root).length === 0);
  const text = empty ? '' : stringify(root);
  if (ui.tree.textContent !== text) ui.tree.textContent = text;
  ui.tree.dataset.empty = String(text === '');
  ui.rev.textContent = doc.rev >= 0 ? `revision ${doc.rev}` : '';
  if (submissionsChanged) {
    submissionsChanged = false;
    const list = doc.get(SUBMISSIONS_PATH);
    renderSubmissions(ui.submissions, ui.submissionsCount, ui.submissionsEmpty, list);
  }
  // aria-disabled, not disabled: a focused button that gets disabled loses
  // the focus (to the page), and a keyboard user who just sent would be lost.
  const nothingToSend = Object.values(formValues()).every((v) => v === '');
  ui.send.setAttribute('aria-disabled', String(nothingToSend));
}
doc.subscribe('', scheduleRender);

renderStatus();
renderPeopleNow();
renderDocument();

// For the end-to-end tests and for poking at it from the console.
Object.assign(window, { varstream: { doc, url } });

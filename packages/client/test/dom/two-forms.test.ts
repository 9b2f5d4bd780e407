import { afterEach, describe, expect, inject, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { bindForm, connect } from '../../src/dom/index.js';
import { MemoryStorage, type VarStreamDocument } from '../../src/index.js';
import { until } from '../helpers/wait.js';

const FORM = `
  <input name="firstname">
  <textarea name="message"></textarea>
  <input type="checkbox" name="agree">
  <input type="radio" name="size" value="S"><input type="radio" name="size" value="M">
  <select name="country"><option value="fr">France</option><option value="de">Germany</option></select>`;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function page(url: string, name: string) {
  const form = document.createElement('form');
  form.innerHTML = FORM;
  form.dataset.user = name;
  document.body.append(form);
  const doc = connect(url, { storage: new MemoryStorage() });
  const unbind = bindForm(doc, form, { path: 'form', presence: { name } });
  cleanups.push(() => {
    unbind();
    doc.close();
    form.remove();
  });
  const field = <T extends Element>(n: string) =>
    form.querySelector(`[name="${n}"]`) as unknown as T;
  return { doc, form, field };
}

/** True when `c` is `a` and `b` merged, each keeping its order. */
function isInterleaving(a: string, b: string, c: string): boolean {
  if (a.length + b.length !== c.length) return false;
  let row = Array.from({ length: b.length + 1 }, (_, j) => b.slice(0, j) === c.slice(0, j));
  for (let i = 1; i <= a.length; i++) {
    const next = [row[0]! && a[i - 1] === c[i - 1]];
    for (let j = 1; j <= b.length; j++) {
      next[j] =
        (row[j]! && a[i - 1] === c[i + j - 1]) || (next[j - 1]! && b[j - 1] === c[i + j - 1]);
    }
    row = next;
  }
  return row[b.length]!;
}

async function synced(...docs: VarStreamDocument[]): Promise<void> {
  await until(
    () => docs.every((d) => d.status === 'open' && d.pending === 0 && d.rev === docs[0]!.rev),
    'both synced at one revision',
  );
}

describe('two bound forms through the real server', () => {
  it('converge: typing, appends from both sides, checkboxes, radios, selects', async () => {
    const url = `${inject('serverUrl')}form-${crypto.randomUUID()}`;
    const alice = page(url, 'Alice');
    const bob = page(url, 'Bob');
    await synced(alice.doc, bob.doc);

    await userEvent.type(alice.field('firstname'), 'Alice');
    await until(() => bob.field<HTMLInputElement>('firstname').value === 'Alice', 'firstname');

    const aliceText = alice.field<HTMLTextAreaElement>('message');
    const bobText = bob.field<HTMLTextAreaElement>('message');
    await userEvent.type(aliceText, 'Hi');
    await until(() => bobText.value === 'Hi', 'message');
    // Both append at the same time: both texts survive, in the server's order.
    aliceText.focus();
    aliceText.setSelectionRange(2, 2);
    await userEvent.keyboard(' from Alice');
    bobText.focus();
    bobText.setSelectionRange(bobText.value.length, bobText.value.length);
    await userEvent.keyboard(' and Bob');
    await synced(alice.doc, bob.doc);
    expect(aliceText.value).toBe(bobText.value);
    // Typing that overlaps in time interleaves by keystroke; nothing is lost.
    expect(aliceText.value.startsWith('Hi')).toBe(true);
    expect(isInterleaving(' from Alice', ' and Bob', aliceText.value.slice(2))).toBe(true);

    await userEvent.click(bob.field('agree'));
    await userEvent.click(bob.form.querySelector('[value="M"]')!);
    await userEvent.selectOptions(alice.field('country'), 'de');
    await synced(alice.doc, bob.doc);
    expect(alice.field<HTMLInputElement>('agree').checked).toBe(true);
    expect(alice.form.querySelector<HTMLInputElement>('[value="M"]')!.checked).toBe(true);
    expect(bob.field<HTMLSelectElement>('country').value).toBe('de');

    // A third client, loading the server's snapshot, sees what both forms show.
    const check = connect(url, { storage: new MemoryStorage() });
    cleanups.push(() => check.close());
    await check.whenSynced();
    await synced(check, alice.doc, bob.doc);
    expect(check.get('form')).toEqual(alice.doc.get('form'));
    expect(check.get('form')).toEqual(bob.doc.get('form'));
    expect(check.get('form.message')).toBe(aliceText.value);
  });

  it('marks the field a peer is editing', async () => {
    const url = `${inject('serverUrl')}form-${crypto.randomUUID()}`;
    const alice = page(url, 'Alice');
    const bob = page(url, 'Bob');
    await synced(alice.doc, bob.doc);
    await userEvent.click(alice.field('message'));
    await until(() => bob.field('message').getAttribute('data-peers') === 'Alice', 'marker');
    await userEvent.click(alice.field('firstname'));
    await until(() => bob.field('firstname').getAttribute('data-peers') === 'Alice', 'moved');
    expect(bob.field('message').hasAttribute('data-peers')).toBe(false);
  });
});

import { transformPosition } from '@varstream/varstream';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { bindForm, connect } from '../../src/dom/index.js';
import { MemoryStorage, type VarStreamDocument } from '../../src/index.js';
import { until } from '../helpers/wait.js';

/**
 * Two forms bound to one document through the real server, in Chromium,
 * editing the same textarea at once: text splices (`~=`) merge.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

const START = 'Meeting on Monday at noon';

function page(url: string, name: string) {
  const form = document.createElement('form');
  form.innerHTML = '<textarea name="message"></textarea>';
  document.body.append(form);
  const doc = connect(url, { storage: new MemoryStorage() });
  const unbind = bindForm(doc, form, { path: 'form', presence: { name } });
  cleanups.push(() => {
    unbind();
    doc.close();
    form.remove();
  });
  const text = form.querySelector('textarea') as HTMLTextAreaElement;
  return { doc, text };
}

/** What the browser does for one keystroke or deletion: edit at the selection, then `input`. */
function edit(
  el: HTMLTextAreaElement,
  insert: string,
  start = el.selectionStart,
  end = el.selectionEnd,
) {
  el.setRangeText(insert, start, end, 'end');
  el.dispatchEvent(
    new InputEvent('input', {
      bubbles: true,
      inputType: insert === '' ? 'deleteContentBackward' : 'insertText',
      data: insert === '' ? null : insert,
    }),
  );
}

async function synced(...docs: VarStreamDocument[]): Promise<void> {
  await until(
    () => docs.every((d) => d.status === 'open' && d.pending === 0 && d.rev === docs[0]!.rev),
    'both synced at one revision',
  );
}

async function twoPages() {
  const url = `${inject('serverUrl')}text-${crypto.randomUUID()}`;
  const alice = page(url, 'Alice');
  const bob = page(url, 'Bob');
  await synced(alice.doc, bob.doc);
  alice.doc.set('form.message', START);
  await synced(alice.doc, bob.doc);
  await until(() => bob.text.value === START, 'the start text');
  expect(alice.doc.splices).toBe(true);
  return { alice, bob };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('one textarea, two pages editing it at once', () => {
  it('middle and end typed at the same time both keep their text, each word in one piece', async () => {
    const { alice, bob } = await twoPages();
    alice.text.focus();
    alice.text.setSelectionRange(11, 11); // before "Monday"
    const middle = 'next ';
    const end = ' sharp';
    for (let i = 0; i < Math.max(middle.length, end.length); i++) {
      if (i < middle.length) edit(alice.text, middle[i]!);
      const e = bob.text.value.length;
      if (i < end.length) edit(bob.text, end[i]!, e, e);
      await tick();
    }
    await synced(alice.doc, bob.doc);
    expect(alice.text.value).toBe('Meeting on next Monday at noon sharp');
    expect(bob.text.value).toBe(alice.text.value);
    expect(alice.doc.get('form.message')).toBe(alice.text.value);
  });

  it('two people typing at the same place keep their words together (no "ttyyppeedd")', async () => {
    const { alice, bob } = await twoPages();
    const at = START.length;
    alice.text.focus();
    alice.text.setSelectionRange(at, at);
    // Bob's field has no focus: his caret is kept here, moved by remote edits as bindForm would.
    let bobCaret = at;
    cleanups.push(
      bob.doc.on('text', (_path, op) => {
        bobCaret = transformPosition(bobCaret, op, 'before');
      }),
    );
    const aliceTypes = ' typed';
    const bobTypes = ' TYPED';
    for (let i = 0; i < aliceTypes.length; i++) {
      edit(alice.text, aliceTypes[i]!);
      edit(bob.text, bobTypes[i]!, bobCaret, bobCaret);
      bobCaret++;
      await tick();
    }
    await synced(alice.doc, bob.doc);
    const final = alice.text.value;
    expect(bob.text.value).toBe(final);
    expect(final.startsWith(START)).toBe(true);
    expect([`${START} typed TYPED`, `${START} TYPED typed`]).toContain(final);
  });

  it('one page deletes a word while the other types inside it: both converge, the typing survives', async () => {
    const { alice, bob } = await twoPages();
    // In the same turn: neither has seen the other's edit.
    edit(alice.text, '', 11, 18); // deletes "Monday "
    edit(bob.text, 'XY', 14, 14); // inside "Monday"
    await synced(alice.doc, bob.doc);
    expect(alice.text.value).toBe('Meeting on XYat noon');
    expect(bob.text.value).toBe(alice.text.value);
  });

  it('the caret does not jump when the other page types before it, or at it', async () => {
    const { alice, bob } = await twoPages();
    alice.text.focus();
    alice.text.setSelectionRange(21, 25); // "noon" selected
    edit(bob.text, 'next ', 11, 11);
    await until(() => alice.text.value === 'Meeting on next Monday at noon', 'bob typed before');
    expect([alice.text.selectionStart, alice.text.selectionEnd]).toEqual([26, 30]);
    expect(alice.text.value.slice(26, 30)).toBe('noon');
    // Text typed exactly at the caret goes after it: the next keystroke follows the previous one.
    alice.text.setSelectionRange(26, 26);
    edit(bob.text, '12 ', 26, 26);
    await until(() => alice.text.value.includes('12 '), 'bob typed at the caret');
    expect(alice.text.selectionStart).toBe(26);
    await userEvent.keyboard('x');
    await synced(alice.doc, bob.doc);
    expect(alice.text.value).toBe('Meeting on next Monday at x12 noon');
    expect(bob.text.value).toBe(alice.text.value);
  });

  it('keeps an IME composition and merges it with what arrived meanwhile', async () => {
    const { alice, bob } = await twoPages();
    alice.text.focus();
    alice.text.setSelectionRange(25, 25);
    alice.text.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, data: '' }));
    alice.text.setRangeText('にほ', 25, 25, 'end');
    alice.text.dispatchEvent(
      new InputEvent('input', {
        bubbles: true,
        inputType: 'insertCompositionText',
        isComposing: true,
      }),
    );
    edit(bob.text, 'Call: ', 0, 0);
    await until(
      () => alice.doc.get('form.message') === `Call: ${START}`,
      'remote text during the composition',
    );
    expect(alice.text.value).toBe(`${START}にほ`); // untouched while composing
    alice.text.setRangeText('日本', 25, 27, 'end');
    alice.text.dispatchEvent(
      new CompositionEvent('compositionend', { bubbles: true, data: '日本' }),
    );
    await synced(alice.doc, bob.doc);
    expect(alice.text.value).toBe(`Call: ${START}日本`);
    expect(bob.text.value).toBe(alice.text.value);
    expect(alice.text.selectionStart).toBe(alice.text.value.length);
  });
});

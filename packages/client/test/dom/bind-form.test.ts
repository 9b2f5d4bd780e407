import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands, userEvent } from 'vitest/browser';
import { bindForm, connect } from '../../src/dom/index.js';
import { connect as coreConnect, MemoryStorage, type VarStreamDocument } from '../../src/index.js';
import { until } from '../helpers/wait.js';

let peer: { id: number; url: string };
let doc: VarStreamDocument;
let unbind: () => void;
let form: HTMLFormElement;

const FORM = `
  <input name="firstname" id="firstname">
  <input id="nick">
  <input name="zip" id="zip">
  <textarea name="message" id="message"></textarea>
  <input type="number" name="age" id="age">
  <input type="checkbox" name="agree" id="agree">
  <input type="checkbox" name="tags" value="red" id="tag-red">
  <input type="checkbox" name="tags" value="blue" id="tag-blue">
  <input type="radio" name="size" value="S" id="size-s">
  <input type="radio" name="size" value="M" id="size-m">
  <select name="country" id="country"><option value="fr">France</option><option value="de">Germany</option></select>
  <select name="langs" id="langs" multiple><option value="en">en</option><option value="fr">fr</option><option value="de">de</option></select>
  <button type="submit">Send</button>`;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The change frames the client sent, without their ids. */
async function sentChanges(): Promise<string[]> {
  const frames = await commands.peerFrames(peer.id, 0);
  return frames.filter((f) => f.startsWith('#vs change')).map((f) => f.slice(f.indexOf('\n') + 1));
}

async function changesAfter(count: number, n: number): Promise<string[]> {
  return until(async () => {
    const all = await sentChanges();
    return all.length >= count + n ? all.slice(count) : undefined;
  }, `${n} change frame(s)`);
}

beforeEach(async () => {
  peer = await commands.peerStart();
  form = document.createElement('form');
  form.innerHTML = FORM;
  document.body.append(form);
  doc = connect(peer.url, { storage: new MemoryStorage() });
  await commands.peerSend(
    peer.id,
    0,
    '#vs welcome v=1 doc=doc conn=c1 rev=1 access=write\n#vs snapshot rev=1\nform.firstname=Al\nform.zip="12"\nform.message=Hello world\nform.nick=al\n',
  );
  await until(() => doc.status === 'open', 'open');
  unbind = bindForm(doc, form, { path: 'form', presence: { name: 'Ann' } });
});

afterEach(async () => {
  unbind();
  doc.close();
  form.remove();
  await commands.peerStop(peer.id);
});

describe('bindForm: text', () => {
  it('fills fields from the document', () => {
    expect($<HTMLInputElement>('firstname').value).toBe('Al');
    expect($<HTMLInputElement>('zip').value).toBe('12');
    expect($<HTMLTextAreaElement>('message').value).toBe('Hello world');
    expect($<HTMLInputElement>('nick').value).toBe('al'); // bound by id
  });

  it('sends += when typing appends, = for an edit in the middle', async () => {
    const input = $<HTMLInputElement>('firstname');
    const before = (await sentChanges()).length;
    await userEvent.click(input);
    input.setSelectionRange(2, 2);
    await userEvent.keyboard('ex');
    expect(await changesAfter(before, 2)).toEqual(['form.firstname+=e\n', 'form.firstname+=x\n']);
    input.setSelectionRange(1, 1);
    await userEvent.keyboard('X');
    expect((await changesAfter(before + 2, 1))[0]).toBe('form.firstname=AXlex\n');
    expect(doc.get('form.firstname')).toBe('AXlex');
  });

  it('keeps text a string: digits typed into a field are quoted', async () => {
    const zip = $<HTMLInputElement>('zip');
    const before = (await sentChanges()).length;
    await userEvent.click(zip);
    zip.setSelectionRange(2, 2);
    await userEvent.keyboard('3');
    expect(await changesAfter(before, 1)).toEqual(['form.zip+="3"\n']);
    expect(doc.get('form.zip')).toBe('123');
    await userEvent.clear(zip);
    await userEvent.keyboard('7');
    await until(() => doc.get('form.zip') === '7', 'zip 7');
  });

  it('keeps the caret and selection on remote updates before and after it', async () => {
    const area = $<HTMLTextAreaElement>('message');
    await userEvent.click(area);
    area.setSelectionRange(6, 11); // "world"
    await commands.peerSend(peer.id, 0, '#vs change rev=2 conn=c9\nform.message=Oh, Hello world\n');
    await until(() => area.value === 'Oh, Hello world', 'insert before');
    expect([area.selectionStart, area.selectionEnd]).toEqual([10, 15]);
    await commands.peerSend(peer.id, 0, '#vs change rev=3 conn=c9\nform.message+=!\n');
    await until(() => area.value === 'Oh, Hello world!', 'append after');
    expect([area.selectionStart, area.selectionEnd]).toEqual([10, 15]);
    await commands.peerSend(peer.id, 0, '#vs change rev=4 conn=c9\nform.message=Hello world!\n');
    await until(() => area.value === 'Hello world!', 'delete before');
    expect([area.selectionStart, area.selectionEnd]).toEqual([6, 11]);
    expect(document.activeElement).toBe(area);
  });

  it('a caret at the end follows a remote append, so the next keystroke still appends', async () => {
    const area = $<HTMLTextAreaElement>('message');
    await userEvent.click(area);
    area.setSelectionRange(11, 11); // after "Hello world"
    await commands.peerSend(peer.id, 0, '#vs change rev=2 conn=c9\nform.message+= and all\n');
    await until(() => area.value === 'Hello world and all', 'remote append');
    expect([area.selectionStart, area.selectionEnd]).toEqual([19, 19]);
    const before = (await sentChanges()).length;
    await userEvent.keyboard('!');
    expect(await changesAfter(before, 1)).toEqual(['form.message+=!\n']);
  });

  it('merges two people appending to the same textarea', async () => {
    const area = $<HTMLTextAreaElement>('message');
    const before = (await sentChanges()).length;
    await userEvent.click(area);
    area.setSelectionRange(11, 11);
    await userEvent.keyboard('?');
    await changesAfter(before, 1);
    // Someone else's append was sequenced before ours.
    await commands.peerSend(peer.id, 0, '#vs change rev=2 conn=c9\nform.message+= and all\n');
    await until(() => area.value === 'Hello world and all?', 'rebased view');
    expect(area.selectionStart).toBe(20);
  });

  it('does not write to a field during IME composition, and applies the latest value after', async () => {
    const area = $<HTMLTextAreaElement>('message');
    const before = (await sentChanges()).length;
    area.focus();
    area.setSelectionRange(11, 11);
    area.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, data: '' }));
    area.value = 'Hello worldに';
    area.dispatchEvent(new InputEvent('input', { bubbles: true, isComposing: true, data: 'に' }));
    await commands.peerSend(peer.id, 0, '#vs change rev=2 conn=c9\nform.message=Hi, Hello world\n');
    await until(() => doc.get('form.message') === 'Hi, Hello world', 'remote in the view');
    expect(area.value).toBe('Hello worldに'); // untouched while composing
    expect(await sentChanges()).toHaveLength(before);
    area.value = 'Hello world日本';
    area.setSelectionRange(13, 13);
    area.dispatchEvent(new InputEvent('input', { bubbles: true, isComposing: true, data: '日本' }));
    area.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, data: '日本' }));
    expect(await changesAfter(before, 1)).toEqual(['form.message+=日本\n']);
    expect(area.value).toBe('Hi, Hello world日本');
    expect(area.selectionStart).toBe(17);
  });
});

describe('bindForm: other fields', () => {
  it('writes checkboxes, checkbox groups, radios, selects and numbers', async () => {
    const before = (await sentChanges()).length;
    await userEvent.click($('agree'));
    await userEvent.click($('tag-blue'));
    await userEvent.click($('size-m'));
    await userEvent.selectOptions($('country'), 'de');
    await userEvent.selectOptions($('langs'), ['en', 'de']);
    await userEvent.fill($('age'), '42');
    await until(() => doc.get('form.age') === 42, 'age');
    expect(doc.get('form.agree')).toBe(true);
    expect(doc.get('form.tags')).toEqual(['blue']);
    expect(doc.get('form.size')).toBe('M');
    expect(doc.get('form.country')).toBe('de');
    expect(doc.get('form.langs')).toEqual(['en', 'de']);
    const sent = await sentChanges();
    expect(sent.slice(before)).toContain('form.tags=[]\nform.tags.0=blue\n');
    expect(sent.slice(before)).toContain('form.size=M\n');
  });

  it('shows remote values in checkboxes, radios and selects', async () => {
    await commands.peerSend(
      peer.id,
      0,
      '#vs change rev=2 conn=c9\nform.agree=true\nform.tags=[]\nform.tags.0=red\nform.size=S\nform.country=de\nform.langs=[]\nform.langs.0=fr\nform.age=7\n',
    );
    await until(() => $<HTMLInputElement>('agree').checked, 'checkbox');
    expect($<HTMLInputElement>('tag-red').checked).toBe(true);
    expect($<HTMLInputElement>('tag-blue').checked).toBe(false);
    expect($<HTMLInputElement>('size-s').checked).toBe(true);
    expect($<HTMLSelectElement>('country').value).toBe('de');
    expect([...$<HTMLSelectElement>('langs').selectedOptions].map((o) => o.value)).toEqual(['fr']);
    expect($<HTMLInputElement>('age').value).toBe('7');
  });
});

describe('bindForm: presence and unbinding', () => {
  it('sets focus in presence and marks fields others edit', async () => {
    await userEvent.click($('zip'));
    await until(
      async () =>
        (await commands.peerFrames(peer.id, 0)).includes('#vs presence name=Ann focus=form.zip'),
      'focus',
    );
    await commands.peerSend(
      peer.id,
      0,
      '#vs presence conn=c9 name=Bob color=%23e4572e focus=form.message\n',
    );
    await until(() => $('message').getAttribute('data-peers') === 'Bob', 'marker');
    expect($('message').getAttribute('data-peer-colors')).toBe('#e4572e');
    await commands.peerSend(peer.id, 0, '#vs leave conn=c9\n');
    await until(() => !$('message').hasAttribute('data-peers'), 'marker removed');
  });

  it('stops syncing once unbound', async () => {
    unbind();
    const before = (await sentChanges()).length;
    await userEvent.type($('firstname'), 'zzz');
    await commands.peerSend(peer.id, 0, '#vs change rev=2 conn=c9\nform.zip="99"\n');
    await until(() => doc.get('form.zip') === '99', 'remote');
    expect($<HTMLInputElement>('zip').value).toBe('12');
    expect(await sentChanges()).toHaveLength(before);
  });
});

// Both connects default to localStorage in a page (the same options, the same defaults).
describe.each([
  ['/dom', connect],
  ['the package root', coreConnect],
])('connect from %s', (_entry, open) => {
  it('keeps pending changes in localStorage across a reload', async () => {
    const other = await commands.peerStart();
    try {
      const first = open(other.url); // default storage: localStorage
      await commands.peerFrames(other.id, 0); // hello sent, never welcomed: offline work
      const id = first.set('draft', '12');
      first.close();
      const key = `varstream:${other.url.replace(/\?.*$/, '')}`;
      expect(localStorage.getItem(key)).toContain(id);
      const second = open(other.url);
      expect(second.get('draft')).toBe('12');
      await commands.peerSend(
        other.id,
        1,
        '#vs welcome v=1 doc=doc conn=c5 rev=1 access=write\n#vs snapshot rev=1\n',
      );
      const frames = await until(async () => {
        const f = await commands.peerFrames(other.id, 1);
        return f.length > 1 ? f : undefined;
      }, 'the re-sent change');
      expect(frames[1]).toBe(`#vs change id=${id}\ndraft="12"\n`);
      await commands.peerSend(other.id, 1, `#vs change rev=2 conn=c5 id=${id}\ndraft="12"\n`);
      await second.whenSynced();
      expect(localStorage.getItem(key)).toBeNull();
      second.close();
    } finally {
      await commands.peerStop(other.id);
    }
  });
});

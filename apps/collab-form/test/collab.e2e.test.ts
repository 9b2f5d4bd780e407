import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  converged,
  FIELDS,
  formValues,
  launchBrowser,
  openUser,
  type ServerProcess,
  serverTree,
  startServer,
  tempDir,
  waitFor,
  waitSynced,
  watchErrors,
} from './harness.js';

let browser: Browser;
let server: ServerProcess;
let data: ReturnType<typeof tempDir>;
const contexts: BrowserContext[] = [];
const pageErrors: string[][] = [];

async function user(name: string): Promise<Page> {
  const { context, page, errors } = await openUser(browser, server.url, { name });
  contexts.push(context);
  pageErrors.push(errors);
  return page;
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  data = tempDir('collab-form-e2e-');
  server = await startServer({ dataDir: data.path });
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await server?.stop();
  data?.remove();
  // No page may have thrown or logged an error.
  expect(pageErrors.splice(0).flat()).toEqual([]);
});

describe('collab-form in Chromium against varstream-server', () => {
  it('shows what one page types in the other; both end identical', async () => {
    const a = await user('Ada');
    const b = await user('Bob');

    await a.click('#firstname');
    await a.keyboard.type('Mickaël');
    await b.waitForFunction(
      () => (document.getElementById('firstname') as HTMLInputElement).value === 'Mickaël',
    );

    await b.click('#lastname');
    await b.keyboard.type('Vendetta');
    await a.click('#email');
    await a.keyboard.type('micka@elysee.fr');
    await b.click('#subject');
    await b.keyboard.type('Ça se passe comment ???');
    await a.click('#message');
    await a.keyboard.type('Kikoolol !\nÇa marche !!!');

    const { values, tree } = await converged([a, b]);
    expect(values).toEqual({
      firstname: 'Mickaël',
      lastname: 'Vendetta',
      email: 'micka@elysee.fr',
      subject: 'Ça se passe comment ???',
      message: 'Kikoolol !\nÇa marche !!!',
    });
    expect(tree).toContain('form.firstname=Mickaël');
    expect((await serverTree(server.port)).form).toEqual(values);

    // The wire pane shows the VarStream lines both ways (the last 200).
    const lines = (page: Page, direction: string) =>
      page.$$eval(`#wire li.${direction} .line`, (els) => els.map((e) => e.textContent));
    const sent = await lines(a, 'out');
    const received = await lines(b, 'in');
    // Typing is sent as text splices (`~=position,deleted,text`), both ways. How
    // many keystrokes one splice holds depends on when acknowledgements come
    // (keystrokes typed meanwhile merge), so its text is not matched: a splice
    // holding the line break ends its first line with `\`, not with `!`.
    const splice = /^form\.message~=\d+,0,/;
    expect(sent.some((l) => l !== null && splice.test(l))).toBe(true);
    expect(received.some((l) => l !== null && splice.test(l))).toBe(true);
    // Section heads are compact (PROTOCOL.md 3.2): the revision and the author's ids implied.
    expect(received.some((l) => l?.startsWith('#vs change conn=') === true)).toBe(true);
    // At most the last 200 (keystrokes typed while a splice waits for its
    // acknowledgement travel together, so there are fewer lines than keys).
    const shown = await a.$$eval('#wire li', (els) => els.length);
    expect(shown).toBeGreaterThan(50);
    expect(shown).toBeLessThanOrEqual(200);
  });

  it('keeps both texts, each in one piece, when two pages type at the end of the same textarea at once', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await a.click('#message');
    await a.keyboard.type('Start:');
    await converged([a, b]);

    // Distinct alphabets so that each text can be picked out of the merge.
    const textA = 'lowercase letters from ada';
    const textB = 'DIGITS 0123456789 AND CAPS FROM BOB';
    for (const p of [a, b]) {
      await p.focus('#message');
      await p.keyboard.press('Control+End');
    }
    const typeIn = async (page: Page, text: string) => {
      for (const ch of text) await page.keyboard.type(ch);
    };
    await Promise.all([typeIn(a, textA), typeIn(b, textB)]);

    const { values } = await converged([a, b], 'both pages to hold both texts', 30_000);
    const message = values.message;
    expect(message.startsWith('Start:')).toBe(true);
    const rest = message.slice('Start:'.length);
    // Each page's text is there in one piece (splices: no "ttyyppeedd").
    expect([textA + textB, textB + textA]).toContain(rest);
    expect(((await serverTree(server.port)).form as Record<string, string>).message).toBe(message);
  });

  it('keeps both edits when two pages type in the middle of the message at once', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await a.click('#message');
    await a.keyboard.type('Meeting on Monday at noon');
    await converged([a, b]);
    const caret = (page: Page, at: number) =>
      page.$eval('#message', (el, i) => (el as HTMLTextAreaElement).setSelectionRange(i, i), at);
    await a.focus('#message');
    await caret(a, 11); // before "Monday"
    await b.focus('#message');
    await caret(b, 21); // before "noon"
    const typeIn = async (page: Page, text: string) => {
      for (const ch of text) await page.keyboard.type(ch);
    };
    await Promise.all([typeIn(a, 'next '), typeIn(b, '12 ')]);
    const { values } = await converged([a, b], 'both edits on both pages');
    expect(values.message).toBe('Meeting on next Monday at 12 noon');
  });

  it('gives a page opened later the current state', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await a.click('#firstname');
    await a.keyboard.type('Grace');
    await b.fill('#message', 'Line one\nLine two'); // one input event: typing is tested above
    const before = await converged([a, b]);

    const c = await user('Cy');
    const after = await converged([a, b, c], 'the late page to catch up');
    expect(after).toEqual(before);
    expect(await formValues(c)).toMatchObject({
      firstname: 'Grace',
      message: 'Line one\nLine two',
    });
    // ...and it can write too.
    await c.click('#subject');
    await c.keyboard.type('Hi');
    const last = await converged([a, b, c]);
    expect(last.values.subject).toBe('Hi');
  });

  it('keeps the local caret when a remote update reaches the focused field', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await a.click('#message');
    await a.keyboard.type('Hello world');
    await converged([a, b]);

    // A: caret in the middle (after "Hello"), then a selection ("wor").
    await a.focus('#message');
    await a.evaluate(() =>
      (document.getElementById('message') as HTMLTextAreaElement).setSelectionRange(5, 5),
    );

    // B appends at the end: after A's caret, which stays put.
    await b.focus('#message');
    await b.keyboard.press('Control+End');
    await b.keyboard.type('!!');
    await a.waitForFunction(
      () => (document.getElementById('message') as HTMLTextAreaElement).value === 'Hello world!!',
    );
    const caret = () =>
      a.evaluate(() => {
        const el = document.getElementById('message') as HTMLTextAreaElement;
        return {
          focused: document.activeElement === el,
          start: el.selectionStart,
          end: el.selectionEnd,
        };
      });
    expect(await caret()).toEqual({ focused: true, start: 5, end: 5 });

    // B inserts before A's selection: the selection moves right with its text.
    await a.evaluate(() =>
      (document.getElementById('message') as HTMLTextAreaElement).setSelectionRange(6, 9),
    );
    await b.keyboard.press('Control+Home');
    await b.keyboard.type('Oh. ');
    await a.waitForFunction(
      () =>
        (document.getElementById('message') as HTMLTextAreaElement).value === 'Oh. Hello world!!',
    );
    expect(await caret()).toEqual({ focused: true, start: 10, end: 13 });
    const selected = await a.evaluate(() => {
      const el = document.getElementById('message') as HTMLTextAreaElement;
      return el.value.slice(el.selectionStart, el.selectionEnd);
    });
    expect(selected).toBe('wor');

    // And A keeps typing where its caret is.
    await a.keyboard.type('W');
    const { values } = await converged([a, b]);
    expect(values.message).toBe('Oh. Hello Wld!!');
  });

  it('regression: replacing an emoji by one sharing its first UTF-16 unit is kept (it was refused: "Position 2 splits a character", and the field reset)', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await a.click('#subject');
    await a.keyboard.type('a😀b');
    await converged([a, b]);
    // Select the emoji and type another one over it: 😀 and 😃 both start with \uD83D.
    await a.$eval('#subject', (el) => (el as HTMLInputElement).setSelectionRange(1, 3));
    await a.keyboard.insertText('😃');
    const { values } = await converged([a, b]);
    expect(values.subject).toBe('a😃b');
    expect(await a.isHidden('#notice')).toBe(true);
    expect(((await serverTree(server.port)).form as Record<string, string>).subject).toBe('a😃b');
  });

  it('regression: a paste larger than a change may be is refused with a message, and the page keeps syncing (a 3 MB paste closed the socket, 1009, at every reconnect: nothing typed after it reached the server, even after a reload)', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await a.click('#message');
    await a.keyboard.type('keep');
    await converged([a, b]);
    // Compressed by the browser, it is small on the wire, and the server inflates it to 3 MB.
    await a.keyboard.insertText('z'.repeat(3_000_000));
    await a.waitForSelector('#notice:not([hidden])');
    expect(await a.textContent('#notice')).toContain('maxChangeBytes');
    expect(await a.inputValue('#message')).toBe('keep');
    await a.keyboard.press('End');
    await a.keyboard.type(' going');
    const { values } = await converged([a, b]);
    expect(values.message).toBe('keep going');
  });

  it('Send appends the form to submissions and clears it in both pages', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    expect(await a.isDisabled('#send')).toBe(true);
    const filled = {
      firstname: 'Mickaël',
      lastname: 'Vendetta',
      email: 'micka@elysee.fr',
      subject: 'Ça se passe comment ???',
      message: 'Kikoolol !\nÇa marche !!!',
    };
    // Typing is tested above; here each field is filled in one input event.
    for (const field of FIELDS) await a.fill(`#${field}`, filled[field]);
    await converged([a, b]);
    await b.waitForFunction(
      () => document.getElementById('send')?.getAttribute('aria-disabled') === 'false',
    );
    await b.click('#send');

    const empty = { firstname: '', lastname: '', email: '', subject: '', message: '' };
    const { values } = await converged([a, b], 'the form to be cleared everywhere');
    expect(values).toEqual(empty);
    for (const page of [a, b]) {
      await page.waitForSelector('#submissions li');
      expect(await page.$$eval('#submissions li', (els) => els.length)).toBe(1);
      const text = (await page.textContent('#submissions li')) ?? '';
      expect(text).toContain('Mickaël Vendetta');
      expect(text).toContain('micka@elysee.fr');
      expect(text).toContain('Kikoolol !\nÇa marche !!!');
      expect(await page.isDisabled('#send')).toBe(true);
    }
    const tree = await serverTree(server.port);
    expect(tree.submissions).toEqual([filled]);
    expect(tree.form).toEqual(empty);
    // The sender's pane shows the one change (the client sends absolute paths).
    const sent = await b.$$eval('#wire li.out .line', (els) => els.map((e) => e.textContent));
    expect(sent).toContain('submissions.+.firstname=Mickaël');
    expect(sent).toContain('submissions.*.lastname=Vendetta');

    // A second submission goes after the first.
    await a.click('#firstname');
    await a.keyboard.type('Bob');
    await a.keyboard.press('Enter'); // submits the form
    await converged([a, b]);
    await b.waitForFunction(() => document.querySelectorAll('#submissions li').length === 2);
    expect((await serverTree(server.port)).submissions).toEqual([
      filled,
      { firstname: 'Bob', lastname: '', email: '', subject: '', message: '' },
    ]);
  });

  it('regression: a keyboard user who presses Send keeps the focus on it (the button was disabled once the form was empty, which dropped the focus to the page, and Tab went on past the form)', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await a.click('#message');
    await a.keyboard.type('Hi');
    await a.keyboard.press('Tab');
    expect(await a.evaluate(() => document.activeElement?.id)).toBe('send');
    await a.keyboard.press('Enter');
    const { values } = await converged([a, b], 'the form to be sent and cleared');
    expect(values.message).toBe('');
    expect(await a.evaluate(() => document.activeElement?.id)).toBe('send');
    // Empty: Send is off for assistive technology too, and does nothing.
    expect(await a.getAttribute('#send', 'aria-disabled')).toBe('true');
    await a.keyboard.press('Enter');
    await a.keyboard.press('Shift+Tab');
    expect(await a.evaluate(() => document.activeElement?.id)).toBe('message');
    await waitSynced(a);
    expect((await serverTree(server.port)).submissions).toHaveLength(1);
  });

  it('shows who is here, their names and the field each one is editing', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    const names = (page: Page) =>
      page.$$eval('#people li .name', (els) => els.map((e) => e.textContent));
    await waitFor(async () => JSON.stringify(await names(a)) === '["Ada","Bob"]', 'A to see Bob');
    await waitFor(async () => JSON.stringify(await names(b)) === '["Bob","Ada"]', 'B to see Ada');

    await a.click('#email');
    await b.waitForSelector('[data-peers-for="email"] .chip');
    expect(await b.textContent('[data-peers-for="email"]')).toBe('Ada');
    expect(await b.getAttribute('#email', 'data-peers')).toBe('Ada');
    expect(await b.textContent('#people li[data-conn]')).toContain('editing Email');

    await a.click('#message');
    await b.waitForSelector('[data-peers-for="message"] .chip');
    expect(await b.textContent('[data-peers-for="email"]')).toBe('');

    // Renaming shows at once in the other page, and is kept for the next visit.
    await a.fill('#my-name', 'Ada Lovelace');
    await waitFor(async () => (await names(b)).includes('Ada Lovelace'), 'the new name in B');
    await a.reload();
    expect(await a.inputValue('#my-name')).toBe('Ada Lovelace');

    await a.close();
    await waitFor(async () => JSON.stringify(await names(b)) === '["Bob"]', 'Ada to leave');
  });

  it('regression: a screen reader hears who is editing a field, in its description (the sentence was an aria-label on a span without a role, which Chromium ignores)', async () => {
    const a = await user('Ada');
    const b = await user('Bob');
    await b.click('#subject');
    await a.waitForSelector('[data-peers-for="subject"] .chip');
    /** Name and description of each textbox, as Chromium gives them to assistive technology. */
    const textboxes = async () => {
      const cdp = await a.context().newCDPSession(a);
      const { nodes } = await cdp.send('Accessibility.getFullAXTree');
      await cdp.detach();
      const out: Record<string, string> = {};
      for (const n of nodes) {
        if (n.role?.value !== 'textbox' || n.ignored) continue;
        out[String(n.name?.value)] = String(n.description?.value ?? '');
      }
      return out;
    };
    await waitFor(
      async () => (await textboxes()).Subject === 'Bob is editing this field',
      'the Subject field to be described',
    );
    expect(await textboxes()).toMatchObject({ 'First name': '', Message: '' });
    // The visible chips are not read a second time.
    expect((await a.locator('form').ariaSnapshot()).match(/Bob/g)).toHaveLength(1);

    await b.click('#message');
    await waitFor(
      async () => (await textboxes()).Message === 'Bob is editing this field',
      'the Message field to be described',
    );
    expect((await textboxes()).Subject).toBe('');
  });

  it('fits a phone screen in one column, with every control labelled', async () => {
    const { context, page, errors } = await openUser(browser, server.url, {
      name: 'Pat',
      viewport: { width: 360, height: 740 },
    });
    contexts.push(context);
    pageErrors.push(errors);
    const layout = await page.evaluate(() => {
      const x = (sel: string) => document.querySelector(sel)!.getBoundingClientRect().left;
      const controls = [...document.querySelectorAll('input, textarea, button')] as (
        | HTMLInputElement
        | HTMLButtonElement
      )[];
      return {
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        columns: new Set(['.form-card', '.people-card', '.wire-card', '.tree-card'].map(x)).size,
        unlabelled: controls
          .filter((c) => (c.labels?.length ?? 0) === 0 && !c.textContent?.trim())
          .map((c) => c.id),
      };
    });
    expect(layout).toEqual({ overflow: 0, columns: 1, unlabelled: [] });
    expect(await page.getAttribute('#status', 'role')).toBe('status');
  });

  it('keeps two tabs of the same browser (shared localStorage) in sync', async () => {
    const { context, page: a, errors } = await openUser(browser, server.url, { name: 'Tabby' });
    contexts.push(context);
    pageErrors.push(errors);
    const b = await context.newPage();
    pageErrors.push(watchErrors(b));
    await b.goto(server.url);
    await waitSynced(b);
    const clientId = (p: Page) =>
      p.evaluate(
        () =>
          (window as unknown as { varstream: { doc: { clientId: string } } }).varstream.doc
            .clientId,
      );
    expect(await clientId(a)).not.toBe(await clientId(b));

    await a.click('#firstname');
    await a.keyboard.type('one');
    await b.click('#lastname');
    await b.keyboard.type('two');
    const { values } = await converged([a, b]);
    expect(values).toMatchObject({ firstname: 'one', lastname: 'two' });

    await a.reload();
    await b.click('#subject');
    await b.keyboard.type('three');
    const last = await converged([a, b]);
    expect(last.values).toMatchObject({ firstname: 'one', lastname: 'two', subject: 'three' });
    expect((await serverTree(server.port)).form).toEqual({
      firstname: 'one',
      lastname: 'two',
      subject: 'three',
    });
  });
});

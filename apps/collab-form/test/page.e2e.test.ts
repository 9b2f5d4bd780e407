import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  launchBrowser,
  openUser,
  type ServerProcess,
  startServer,
  tempDir,
  waitFor,
  waitForStatus,
  watchErrors,
} from './harness.js';

let browser: Browser;
let server: ServerProcess;
let data: ReturnType<typeof tempDir>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  data = tempDir('collab-form-page-');
  server = await startServer({ dataDir: data.path });
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await server?.stop();
  data?.remove();
});

/** Sends `count` frames of one change each, as a plain WebSocket writer would. */
async function writeChanges(count: number): Promise<void> {
  const socket = new WebSocket(server.url.replace(/^http/, 'ws'));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  for (let i = 0; i < count; i++) socket.send(`form.subject=change ${i}\n`);
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}

const scrollHeight = (page: Page) =>
  page.evaluate(() => ({
    page: document.documentElement.scrollHeight,
    viewport: window.innerHeight,
    wireLines: document.getElementById('wire')?.childElementCount ?? 0,
  }));

describe('the demo page', () => {
  // Regression: the wire pane's screen-reader labels escaped its scroll box
  // and stretched the page by about 4 000 px once it held 200 lines.
  it('keeps the page as tall as the viewport after 300 changes fill the wire pane', async () => {
    const { context, page, errors } = await openUser(browser, server.url, {
      name: 'Ada',
      viewport: { width: 1280, height: 900 },
    });
    contexts.push(context);
    const before = await scrollHeight(page);
    await writeChanges(300);
    await page.waitForFunction(
      () => (document.getElementById('subject') as HTMLInputElement).value === 'change 299',
    );
    const after = await scrollHeight(page);
    expect(after.wireLines).toBe(200);
    expect(after.page).toBeLessThanOrEqual(Math.max(before.page, after.viewport) + 50);
    expect(after.page).toBeLessThan(after.viewport * 1.5);
    expect(errors).toEqual([]);
  });

  it('regression: a sent subject or email without spaces wraps inside its submission on a phone (it stretched the list, readable only by scrolling it sideways)', async () => {
    const { context, page, errors } = await openUser(browser, server.url, {
      name: 'Pat',
      viewport: { width: 360, height: 740 },
    });
    contexts.push(context);
    await page.fill('#firstname', 'Pat');
    await page.fill('#email', `${'a'.repeat(60)}@${'b'.repeat(60)}.example`);
    await page.fill('#subject', 'x'.repeat(300));
    await page.click('#send');
    await page.waitForSelector('#submissions li');
    const widths = await page.$eval('#submissions', (list) => {
      const right = list.getBoundingClientRect().right;
      const items = [...list.querySelectorAll('li, li *')];
      return {
        scroll: list.scrollWidth - list.clientWidth,
        past: items.filter((el) => el.getBoundingClientRect().right > right + 0.5).length,
      };
    });
    expect(widths).toEqual({ scroll: 0, past: 0 });
    expect(errors).toEqual([]);
  });

  // Regression: two tabs of one browser shared the generated name in localStorage.
  it('gives two tabs of one browser two names', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const tabs = [await context.newPage(), await context.newPage()];
    const errors = tabs.map(watchErrors);
    for (const tab of tabs) {
      await tab.goto(server.url);
      await waitForStatus(tab, 'open');
    }
    const names = async (tab: Page) =>
      tab.$$eval('#people .name', (items) => items.map((i) => i.textContent ?? ''));
    // Each tab lists itself and the other one, under two different names.
    const seen = await waitFor(async () => {
      const lists = await Promise.all(tabs.map(names));
      const ok = lists.every((l) => l.length === 2 && new Set(l).size === 2);
      return ok ? lists : undefined;
    }, 'two people, two names, in each tab');
    expect(new Set(seen[0])).toEqual(new Set(seen[1]));
    // A reload keeps the tab's name.
    const mine = await tabs[0]!.inputValue('#my-name');
    await tabs[0]!.reload();
    await waitForStatus(tabs[0]!, 'open');
    expect(await tabs[0]!.inputValue('#my-name')).toBe(mine);
    expect(errors.flat()).toEqual([]);
  });

  it("renames a duplicated tab, which inherits the first one's name", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const first = await context.newPage();
    await first.goto(server.url);
    await waitForStatus(first, 'open');
    const name = await first.inputValue('#my-name');
    // What "Duplicate tab" does: the new tab starts with a copy of the first one's sessionStorage.
    const copy = await context.newPage();
    await copy.addInitScript((inherited) => {
      if (sessionStorage.getItem('collab-form:generated-name') === null) {
        sessionStorage.setItem('collab-form:generated-name', inherited);
      }
    }, name);
    await copy.goto(server.url);
    await waitForStatus(copy, 'open');
    await waitFor(
      async () => (await copy.inputValue('#my-name')) !== name,
      'the copy to take another name',
    );
    expect(await first.inputValue('#my-name')).toBe(name);
  });
});

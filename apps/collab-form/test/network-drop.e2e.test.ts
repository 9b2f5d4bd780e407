import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CuttableProxy, startCuttableProxy } from './cuttable-proxy.js';
import {
  converged,
  launchBrowser,
  openUser,
  type ServerProcess,
  serverTree,
  startServer,
  tempDir,
  waitForStatus,
  waitSynced,
} from './harness.js';

/**
 * One page loses its network while the server stays up and another page
 * keeps typing in the same field. The reconnect tests stop the server, so
 * nobody can edit meanwhile; here the dropped page's edits, made on the
 * revision it held before the drop, meet what the other page typed in the
 * same text meanwhile, and must both survive once it is back (it resumes
 * with a replay; the server transforms its splices, PROTOCOL.md 3.6).
 */

let browser: Browser;
let server: ServerProcess;
let proxy: CuttableProxy;
let data: ReturnType<typeof tempDir>;
const contexts: BrowserContext[] = [];
const pageErrors: string[][] = [];

/** The browser's own report of a failed attempt while the network is cut: expected, not a page error. */
const RETRY_FAILED = /^WebSocket connection to '[^']+' failed/;

async function user(name: string, url: string): Promise<Page> {
  return (await userWithContext(name, url)).page;
}

async function userWithContext(
  name: string,
  url: string,
): Promise<{ page: Page; context: BrowserContext }> {
  const { context, page, errors } = await openUser(browser, url, { name });
  contexts.push(context);
  pageErrors.push(errors);
  return { page, context };
}

async function caretAt(page: Page, at: number): Promise<void> {
  await page.focus('#message');
  await page.$eval('#message', (el, i) => (el as HTMLTextAreaElement).setSelectionRange(i, i), at);
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  data = tempDir('collab-form-drop-');
  server = await startServer({ dataDir: data.path });
  proxy = await startCuttableProxy(server.port);
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await proxy?.close();
  await server?.stop();
  data?.remove();
  expect(
    pageErrors
      .splice(0)
      .flat()
      .filter((e) => !RETRY_FAILED.test(e)),
  ).toEqual([]);
});

describe('collab-form when one page loses its network', () => {
  it('keeps what it typed offline and what another page typed in the same field meanwhile', async () => {
    const a = await user('Ada', proxy.url);
    const b = await user('Bob', server.url);
    await b.click('#message');
    await b.keyboard.type('one two three');
    await converged([a, b]);

    proxy.cut();
    await waitForStatus(a, 'offline');
    await caretAt(a, 4); // before "two"
    await a.keyboard.type('AAA ');
    await caretAt(b, 8); // before "three"
    await b.keyboard.type('BBB ');
    await waitSynced(b);
    expect(await a.inputValue('#message')).toBe('one AAA two three');
    expect(Number(await a.getAttribute('#pending', 'data-pending'))).toBeGreaterThan(0);
    expect(await b.inputValue('#message')).toBe('one two BBB three');

    proxy.restore();
    // As the browser does when the network is back: retry at once, not after the backoff.
    await a.evaluate(() => window.dispatchEvent(new Event('online')));
    const { values } = await converged([a, b], 'both pages after the reconnect', 45_000);
    expect(values.message).toBe('one AAA two BBB three');
    expect(((await serverTree(server.port)).form as Record<string, string>).message).toBe(
      values.message,
    );
  });

  it('regression: Send keeps what another page typed meanwhile in the form (the clear `=""` voided its splices: the text was neither sent nor kept)', async () => {
    const a = await user('Ada', server.url);
    const b = await user('Bob', proxy.url);
    await a.click('#message');
    await a.keyboard.type('Hello');
    await converged([a, b]);

    // Bob types while his page cannot reach the server; Ada sends meanwhile.
    proxy.cut();
    await waitForStatus(b, 'offline');
    await b.focus('#message');
    await b.keyboard.press('Control+End');
    await b.keyboard.type(' world');
    await a.click('#send');
    await waitSynced(a);
    expect(await a.inputValue('#message')).toBe('');

    proxy.restore();
    await b.evaluate(() => window.dispatchEvent(new Event('online')));
    const { values } = await converged([a, b], 'both pages after the reconnect', 45_000);
    // Ada sent "Hello"; Bob's " world", typed after, is still in the form.
    expect(values.message).toBe(' world');
    const tree = await serverTree(server.port);
    expect((tree.submissions as Record<string, string>[])[0]?.message).toBe('Hello');
    expect((tree.form as Record<string, string>).message).toBe(' world');
  });

  it('regression: a page whose browser goes offline says so within seconds (it showed "Connected" until the 35 s silence timeout), and comes back when online', async () => {
    const { page: a, context } = await userWithContext('Ada', server.url);
    await waitSynced(a);
    const started = Date.now();
    // The socket stays up but carries nothing, and the page hears `offline`.
    await context.setOffline(true);
    // Well under the 35 s silence timeout (2 × 15 s heartbeat + 5 s): only the check on `offline` gets there.
    await waitForStatus(a, 'offline', 25_000);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(35_000);
    await a.click('#firstname');
    await a.keyboard.type('Ada');
    await context.setOffline(false);
    await waitSynced(a, 45_000);
    expect(((await serverTree(server.port)).form as Record<string, string>).firstname).toBe('Ada');
  });
});

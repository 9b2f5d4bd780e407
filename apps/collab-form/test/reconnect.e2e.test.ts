import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  converged,
  launchBrowser,
  openUser,
  type ServerProcess,
  serverTree,
  startServer,
  tempDir,
  waitForStatus,
} from './harness.js';

let browser: Browser;
let server: ServerProcess | undefined;
const data = tempDir('collab-form-restart-');
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
  data.remove();
});

async function pending(page: Page): Promise<number> {
  return Number(await page.getAttribute('#pending', 'data-pending'));
}

/**
 * One scenario in three steps (each test goes on from where the one before
 * left the server and the pages): kill -9 and keep editing, restart and
 * converge, restart gracefully and find everything on disk.
 */
describe('collab-form when the server dies', () => {
  let a: Page;
  let b: Page;
  let late: Page;
  let port: number;
  let before: { tree: string };
  const expected = {
    firstname: 'Before and during',
    lastname: 'Offline',
    email: '',
    subject: '',
    message: 'Acknowledged. Typed offline.',
  };

  it('keeps edits made while the server is down (kill -9), shown at once and kept pending', async () => {
    server = await startServer({ dataDir: data.path });
    port = server.port;
    const users = await Promise.all([
      openUser(browser, server.url, { name: 'Ada' }),
      openUser(browser, server.url, { name: 'Bob' }),
    ]);
    for (const u of users) contexts.push(u.context);
    [a, b] = users.map((u) => u.page) as [Page, Page];

    await a.click('#firstname');
    await a.keyboard.type('Before');
    await b.click('#message');
    await b.keyboard.type('Acknowledged.');
    before = await converged([a, b]);

    // kill -9: no close frame, no chance to flush anything.
    await server.kill();
    await Promise.all([waitForStatus(a, 'offline'), waitForStatus(b, 'offline')]);
    expect(await a.textContent('#status')).toMatch(/offline/i);

    // Both keep editing: the changes are shown at once and kept as pending.
    await a.click('#firstname');
    await a.keyboard.press('End');
    await a.keyboard.type(' and during');
    await a.click('#lastname');
    await a.keyboard.type('Offline');
    await b.click('#message');
    await b.keyboard.press('Control+End');
    await b.keyboard.type(' Typed offline.');
    expect(await pending(a)).toBeGreaterThan(0);
    expect(await pending(b)).toBeGreaterThan(0);
    expect(await a.isVisible('#pending')).toBe(true);
    expect(await a.textContent('#pending')).toMatch(/kept/);
    expect(await a.inputValue('#firstname')).toBe('Before and during');
  });

  it('converges after the restart; the server and a page opened later hold it all', async () => {
    // Same port, same data directory. The pages have been backing off for a
    // while (their next try may be seconds away): tell them the network is
    // back, as the browser does when it is, and they retry at once.
    server = await startServer({ dataDir: data.path, port });
    for (const page of [a, b]) await page.evaluate(() => window.dispatchEvent(new Event('online')));
    const { values, tree } = await converged(
      [a, b],
      'the pages to resync after the restart',
      45_000,
    );
    expect(values).toEqual(expected);
    expect(tree).not.toBe(before.tree);

    // The server holds it all (read by a plain reader)...
    const { email: _e, subject: _s, ...stored } = expected;
    expect((await serverTree(port)).form).toEqual(stored);
    // ...and a fresh page sees the same.
    const user = await openUser(browser, server!.url, { name: 'Cy' });
    contexts.push(user.context);
    late = user.page;
    expect((await converged([a, b, late])).values).toEqual(values);
  });

  it('after a graceful restart, what was acknowledged is on disk and the pages come back', async () => {
    await server!.stop();
    server = await startServer({ dataDir: data.path, port });
    const { email: _e, subject: _s, ...stored } = expected;
    expect((await serverTree(port)).form).toEqual(stored);
    const { values } = await converged([a, b, late], 'the pages to come back', 45_000);
    expect(values).toEqual(expected);
  });
});

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

describe('collab-form when the server dies', () => {
  it('keeps edits made while the server is down and converges after it restarts', async () => {
    server = await startServer({ dataDir: data.path });
    const port = server.port;
    const users = await Promise.all([
      openUser(browser, server.url, { name: 'Ada' }),
      openUser(browser, server.url, { name: 'Bob' }),
    ]);
    for (const u of users) contexts.push(u.context);
    const [a, b] = users.map((u) => u.page) as [Page, Page];

    await a.click('#firstname');
    await a.keyboard.type('Before');
    await b.click('#message');
    await b.keyboard.type('Acknowledged.');
    const before = await converged([a, b]);

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
    expect(values).toEqual({
      firstname: 'Before and during',
      lastname: 'Offline',
      email: '',
      subject: '',
      message: 'Acknowledged. Typed offline.',
    });
    expect(tree).not.toBe(before.tree);

    // The server holds it all (read by a plain reader)...
    expect((await serverTree(port)).form).toEqual({
      firstname: 'Before and during',
      lastname: 'Offline',
      message: 'Acknowledged. Typed offline.',
    });
    // ...and a fresh page sees the same.
    const late = await openUser(browser, server.url, { name: 'Cy' });
    contexts.push(late.context);
    expect((await converged([a, b, late.page])).values).toEqual(values);

    // A second restart, graceful this time: what was acknowledged was on disk.
    await server.stop();
    server = await startServer({ dataDir: data.path, port });
    expect((await serverTree(port)).form).toEqual({
      firstname: 'Before and during',
      lastname: 'Offline',
      message: 'Acknowledged. Typed offline.',
    });
    await converged([a, b, late.page], 'the pages to come back', 45_000);
  });
});

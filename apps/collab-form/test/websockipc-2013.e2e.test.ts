import { copyFileSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  APP_DIR,
  FIELDS,
  type FormValues,
  formValues,
  launchBrowser,
  type ServerProcess,
  serverTree,
  startServer,
  tempDir,
  waitFor,
  watchErrors,
} from './harness.js';

/**
 * Regression (issue 10): the 2013 WebSockIPC page lost what it typed at the
 * end of a field. It sends `firstname+=xyz`, puts the field back to the old
 * value and waits for the server to repeat the line to every client, sender
 * included; a server that did not echo a plain client's own changes left
 * that page behind for good. The page here behaves as the 2013 one does
 * (fixtures/websockipc-2013: varstream 0.3.2's own reader on every frame,
 * the 2013 way of sending edits), served by `varstream-server --static`,
 * seeded with `--init` from the 2013 demo's saved tree.
 */

const PAGE_DIR = join(APP_DIR, 'test/fixtures/websockipc-2013');
const SEED = join(APP_DIR, 'seed/websockipc-vars.dat');

/** varstream 0.3.2's browser reader, from the npm package (a dev dependency of the server). */
function legacyReaderFile(): string {
  const fromApp = createRequire(join(APP_DIR, 'package.json'));
  const fromServer = createRequire(fromApp.resolve('@varstream/server/package.json'));
  return fromServer.resolve('varstream/src/VarStreamReader.js');
}

let browser: Browser;
let server: ServerProcess;
let data: ReturnType<typeof tempDir>;
let site: ReturnType<typeof tempDir>;
const contexts: BrowserContext[] = [];
const pageErrors: string[][] = [];

/** One person on the 2013 page (own browser context). */
async function open2013Page(): Promise<Page> {
  const context = await browser.newContext();
  context.setDefaultTimeout(15_000);
  contexts.push(context);
  const page = await context.newPage();
  pageErrors.push(watchErrors(page));
  await page.goto(server.url);
  await page.waitForSelector('body[data-status="open"][data-frames]');
  return page;
}

/** Waits until every page shows `expected` (a partial set of field values). */
async function allShow(pages: Page[], expected: Partial<FormValues>, what: string): Promise<void> {
  await waitFor(async () => {
    const values = await Promise.all(pages.map((page) => formValues(page)));
    return values.every((v) => Object.entries(expected).every(([k, x]) => v[k as 'email'] === x));
  }, what);
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  data = tempDir('websockipc-2013-data-');
  site = tempDir('websockipc-2013-site-');
  for (const file of ['index.html', 'script.js']) {
    copyFileSync(join(PAGE_DIR, file), join(site.path, file));
  }
  copyFileSync(legacyReaderFile(), join(site.path, 'VarStreamReader.js'));
  server = await startServer({
    dataDir: data.path,
    staticDir: site.path,
    args: ['--init', SEED],
  });
});

afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await server?.stop();
  data?.remove();
  site?.remove();
  expect(pageErrors.splice(0).flat()).toEqual([]);
});

describe('the 2013 WebSockIPC page against varstream-server', () => {
  it('keeps its own typing and matches the other pages, a late one included', async () => {
    const seed = readFileSync(SEED, 'utf8');
    expect(seed).toContain('firstname=Mickaël');
    const a = await open2013Page();
    const b = await open2013Page();
    await allShow([a, b], { firstname: 'Mickaël', lastname: 'Vendetta' }, 'the seeded form');

    // Typing at the end of a field: one `firstname+=<char>` per key, the
    // field put back each time; only the echoes make the text appear. A
    // quote goes as `firstname+="` (it was refused, BAD_QUOTE, and lost).
    await a.click('#firstname');
    await a.keyboard.press('End');
    await a.keyboard.type('x"yz');
    await allShow([a, b], { firstname: 'Mickaëlx"yz' }, 'the typing page to keep its typing');

    // Another page replaces a value (`subject=...`) and appends a new line
    // to the message (a continuation line on the wire).
    await b.fill('#subject', 'Tout va bien');
    await b.click('#message');
    await b.keyboard.press('Control+End');
    await b.keyboard.type(' Oui.');
    await b.keyboard.press('Enter');
    await b.keyboard.type('Bye');
    const message = 'Kikoolol ! Ça marche !!! Oui.\nBye';
    await allShow([a, b], { subject: 'Tout va bien', message }, 'the second page’s edits');

    // Both type at the end of the same field at once.
    await a.click('#lastname');
    await a.keyboard.press('End');
    await b.click('#lastname');
    await b.keyboard.press('End');
    await Promise.all([a.keyboard.type('AAA'), b.keyboard.type('BBB')]);
    await waitFor(async () => {
      const [va, vb] = await Promise.all([formValues(a), formValues(b)]);
      return va.lastname.length === 'Vendetta'.length + 6 && va.lastname === vb.lastname;
    }, 'both pages to show all six letters, in the same order');

    // The server holds what the pages show; a page opened now shows it too.
    const late = await open2013Page();
    const tree = await serverTree(server.port);
    const shown = await formValues(a);
    expect(shown.firstname).toBe('Mickaëlx"yz');
    expect(shown.subject).toBe('Tout va bien');
    expect(shown.message).toBe(message);
    expect(shown.lastname.replace(/[AB]/g, '')).toBe('Vendetta');
    for (const field of FIELDS) expect(tree[field], field).toBe(shown[field]);
    await allShow([a, b, late], shown, 'every page, the late one included, to match');
  });
});

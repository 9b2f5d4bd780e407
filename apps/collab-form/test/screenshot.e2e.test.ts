import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_DIR,
  converged,
  launchBrowser,
  openUser,
  REPO_ROOT,
  type ServerProcess,
  startServer,
  tempDir,
} from './harness.js';

/**
 * The README's picture: two windows of the demo side by side, seeded with the
 * 2013 demo's saved form. Written to test-results/screenshot.png on every run,
 * and to docs/screenshot.png when that is missing or UPDATE_SCREENSHOT=1
 * (so that a test run does not leave a changed binary in the work tree).
 */
const WIDTH = 960;
const HEIGHT = 860;
const GAP = 24;

let browser: Browser;
let server: ServerProcess;
const data = tempDir('collab-form-shot-');
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  server = await startServer({
    dataDir: data.path,
    args: ['--init', join(APP_DIR, 'seed/websockipc-vars.dat'), '--init-path', 'form'],
  });
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
  await server?.stop();
  data.remove();
});

describe('the README screenshot', () => {
  it('renders two windows side by side', async () => {
    const viewport = { width: WIDTH, height: HEIGHT };
    const alice = await openUser(browser, server.url, { name: 'Alice', viewport });
    const bob = await openUser(browser, server.url, { name: 'Bob', viewport });
    contexts.push(alice.context, bob.context);
    for (const [u, color] of [
      [alice, '#c0392b'],
      [bob, '#117a65'],
    ] as const) {
      await u.page.fill('#my-color', color);
    }
    const a = alice.page;
    const b = bob.page;
    // The seeded form from websockipc-vars.dat.
    expect((await converged([a, b])).values.firstname).toBe('Mickaël');

    await b.click('#subject');
    await b.keyboard.press('End');
    await a.click('#message');
    await a.keyboard.press('Control+End');
    await a.keyboard.insertText(' On y est ensemble.'); // one input event: typing is tested elsewhere
    await converged([a, b]);
    await a.waitForSelector('[data-peers-for="subject"] .chip');
    await b.waitForSelector('[data-peers-for="message"] .chip');

    const shots = await Promise.all(
      [a, b].map(async (p) => {
        await p.evaluate(() => window.scrollTo(0, 0));
        return (await p.screenshot({ type: 'png' })).toString('base64');
      }),
    );
    const compose = await browser.newPage({
      viewport: { width: WIDTH * 2 + GAP * 3, height: HEIGHT + GAP * 2 },
    });
    await compose.setContent(
      `<!doctype html><html><body style="margin:0;background:#d5dae3;display:flex;gap:${GAP}px;padding:${GAP}px">${shots
        .map(
          (s) =>
            `<img width="${WIDTH}" height="${HEIGHT}" style="border-radius:10px;box-shadow:0 4px 18px rgb(0 0 0 / 18%)" src="data:image/png;base64,${s}">`,
        )
        .join('')}</body></html>`,
    );
    await compose.waitForFunction(() =>
      [...document.images].every((i) => i.complete && i.naturalWidth > 0),
    );
    const png = await compose.screenshot({ type: 'png' });
    await compose.close();
    expect(png.length).toBeGreaterThan(20_000);

    const results = join(APP_DIR, 'test-results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'screenshot.png'), png);
    const docs = join(REPO_ROOT, 'docs/screenshot.png');
    if (!existsSync(docs) || process.env.UPDATE_SCREENSHOT === '1') {
      mkdirSync(join(REPO_ROOT, 'docs'), { recursive: true });
      copyFileSync(join(results, 'screenshot.png'), docs);
    }
  });
});

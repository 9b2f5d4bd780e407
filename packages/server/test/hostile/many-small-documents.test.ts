/**
 * A document holding one short line weighs a few bytes of snapshot, all the
 * memory budget counted, but about 7.4 KB of heap: a client that wrote
 * `a=1` to one new document after another was never refused, and on a
 * memory-only server (documents never unloaded) the heap grew without end
 * (2 000 documents: 15 MB of heap, 36 KB counted). Each loaded document now
 * counts DOCUMENT_BASE_BYTES, and past `maxMemoryBytes` new documents are
 * refused (HTTP 503) like any other.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { perTest } from '../helpers/per-test.js';

const { start } = perTest();

/**
 * Joins `url`, writes one line, leaves once an answer came back; true when
 * the line was accepted (its echo came back), false when the join (HTTP 503)
 * or the write (`#vs error`) was refused.
 */
function writeOnce(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let frames = 0;
    let accepted = false;
    ws.on('message', (data) => {
      if (frames++ === 0) {
        ws.send('a=1\n');
        return;
      }
      accepted = !String(data).startsWith('#vs error');
      ws.close();
    });
    ws.on('close', () => resolve(accepted));
    ws.on('unexpected-response', () => resolve(false));
    ws.on('error', () => {});
  });
}

describe('hostile: many small documents', () => {
  it('counts what every loaded document costs: new ones are refused past maxMemoryBytes', async () => {
    const base = 8 * 1024; // DOCUMENT_BASE_BYTES
    const maxMemoryBytes = 50 * base;
    const s = await start({ maxMemoryBytes });
    let refused = 0;
    for (let i = 0; i < 80; i++) if (!(await writeOnce(`${s.url}small${i}`))) refused++;
    expect(refused).toBeGreaterThanOrEqual(20);
    expect(s.server.memoryUsed).toBeLessThan(maxMemoryBytes + 20 * base);
    // A document already loaded is still served.
    expect(await writeOnce(`${s.url}small0`)).toBe(true);
  });

  it('regression: new documents opened all at once are counted as they are admitted (the estimate, reused for 100 ms, let every one in)', async () => {
    const base = 8 * 1024; // DOCUMENT_BASE_BYTES
    const maxMemoryBytes = 50 * base;
    const s = await start({ maxMemoryBytes });
    const joined = await Promise.all(
      Array.from({ length: 80 }, (_, i) => writeOnce(`${s.url}burst${i}`)),
    );
    expect(joined.filter((ok) => !ok).length).toBeGreaterThanOrEqual(20);
    expect(s.server.memoryUsed).toBeLessThan(maxMemoryBytes + 20 * base);
  });
});

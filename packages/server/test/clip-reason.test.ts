import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { clipReason } from '../src/connection/clip-reason.js';
import { TestClient } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

const bytes = (text: string) => Buffer.byteLength(text);

describe('close reasons fit a close frame (123 bytes)', () => {
  it('keeps a short reason, cuts a long one at a character boundary', () => {
    expect(clipReason('Origin not allowed')).toBe('Origin not allowed');
    const ascii = 'x'.repeat(123);
    expect(clipReason(ascii)).toBe(ascii);
    expect(clipReason(`${ascii}y`)).toBe(`${'x'.repeat(120)}…`);
    for (const char of ['é', '€', '😀']) {
      const clipped = clipReason(`v=${char.repeat(200)}`);
      expect(bytes(clipped), char).toBeLessThanOrEqual(123);
      expect(bytes(clipped), char).toBeGreaterThan(123 - 4 - 3);
      expect(clipped.endsWith('…')).toBe(true);
      expect(clipped.slice(2, -1)).toBe(char.repeat((clipped.length - 3) / char.length));
    }
    // Multi-byte text that fits is kept whole (40 × 3 bytes).
    expect(clipReason('€'.repeat(41))).toBe('€'.repeat(41));
  });

  // Regression: `?vs=` with a value of more than about 100 bytes made the
  // close reason too long; ws threw in the upgrade handler and the whole
  // server process died (one unauthenticated request).
  it('a long or multi-byte vs= or hello v is refused with 4409 and the server keeps serving', async () => {
    let server: TestServer | undefined;
    try {
      server = await startServer();
      for (const value of ['x'.repeat(300), '%E2%82%AC'.repeat(100)]) {
        const ws = new WebSocket(`${server.url}?vs=${value}`);
        ws.on('error', () => {});
        let closed: { code: number; reason: string } | undefined;
        ws.on('close', (code, reason) => {
          closed = { code, reason: reason.toString() };
        });
        await until(() => closed !== undefined, 'the refusal');
        expect(closed!.code).toBe(4409);
        expect(closed!.reason).toMatch(/^Unknown vs=/);
      }
      // A hello's `v` is quoted too (percent-decoded: 100 × €, 300 bytes);
      // the session's own clip cut 100 UTF-16 units, and closed with 1006.
      const ws = new WebSocket(`${server.url}?vs=1`);
      let code = 0;
      ws.on('open', () => ws.send(`#vs hello v=${'%E2%82%AC'.repeat(100)} client=abc`));
      ws.on('close', (c) => {
        code = c;
      });
      await until(() => code !== 0, 'the hello refused');
      expect(code).toBe(4409);
      const client = new TestClient(server.url);
      await client.welcome();
      await client.settled(client.change('still=here\n'));
      client.close();
    } finally {
      await server?.close();
    }
  });
});

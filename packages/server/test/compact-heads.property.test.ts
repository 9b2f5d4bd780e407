import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClient } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { until } from './helpers/wait.js';

/**
 * Compact section heads leave out the ids an author can count (PROTOCOL.md
 * 3.2). Whatever a connection sends (accepted changes, rejected ones,
 * duplicates, changes without id, ids of another client, several per
 * frame), the ids its SectionReader fills in must be exactly the server's:
 * every accepted id acknowledged once, nothing else.
 */
type Step =
  | { readonly kind: 'ok' }
  | { readonly kind: 'rejected' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'no-id' }
  | { readonly kind: 'foreign' };

const step = fc.constantFrom<Step>(
  { kind: 'ok' },
  { kind: 'ok' },
  { kind: 'ok' },
  { kind: 'rejected' },
  { kind: 'duplicate' },
  { kind: 'no-id' },
  { kind: 'foreign' },
);

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.close();
});

describe('compact heads', () => {
  it('the author counts exactly the ids the server accepted', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { minLength: 1, maxLength: 6 }), { maxLength: 6 }),
        async (frames) => {
          const doc = `prop${++run}`;
          const writer = new TestClient(server.url, { doc, client: `w${run}` });
          const reader = new TestClient(server.url, { doc, protocol: false });
          await Promise.all([writer.welcome(), reader.welcome()]);
          const accepted: string[] = [];
          let seq = 0;
          let expectedRev = 0;
          for (const steps of frames) {
            let frame = '';
            for (const s of steps) {
              switch (s.kind) {
                case 'ok':
                  seq++;
                  frame += `#vs change s=${seq}\nn${seq}=1\n`;
                  accepted.push(`w${run}:${seq}`);
                  expectedRev++;
                  break;
                case 'rejected':
                  seq++;
                  frame += `#vs change s=${seq}\nbad&=nowhere\n`;
                  break;
                case 'duplicate':
                  // The previous accepted id again: answered `duplicate=1`, no section.
                  if (accepted.length > 0) {
                    const last = accepted[accepted.length - 1]!;
                    frame += `#vs change id=${last}\nn=2\n`;
                  }
                  break;
                case 'no-id':
                  frame += '#vs change\nplain=1\n';
                  expectedRev++;
                  break;
                case 'foreign':
                  seq++;
                  frame += `#vs change id=other${run}:${seq}\nf${seq}=1\n`;
                  expectedRev++;
                  break;
              }
            }
            writer.send(frame);
          }
          await until(
            () => writer.rev === expectedRev && reader.rev === expectedRev,
            'every revision',
          );
          const own = [...writer.acked].filter((id) => id.startsWith(`w${run}:`));
          expect(own).toEqual(accepted);
          expect(writer.root).toEqual(reader.root);
          writer.close();
          reader.close();
        },
      ),
      { numRuns: 25 },
    );
  });
});

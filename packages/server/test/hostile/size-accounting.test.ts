/**
 * Issue 9, item 6: `maxDocumentBytes` was bypassed by aliasing: fill an
 * object, alias it (`k&=a`), delete `a`: the estimate dropped by what `a`
 * held while the data stayed (108 MB under an 8 MiB limit). The accounting
 * counts what stays reachable and stored; honest churn is not refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const MAX = 64 * 1024;

function fill(prefix: string, lines: number): string {
  let text = '';
  for (let i = 0; i < lines; i++) text += `${prefix}.k${i}=${'v'.repeat(90)}${i}\n`;
  return text;
}

async function send(client: TestClient, body: string): Promise<string | undefined> {
  const id = client.change(body);
  await client.settled(id);
  return client.rejected.get(id)?.fields.code;
}

describe('hostile: size accounting', () => {
  it('counts an aliased subtree while any path still reaches it', async () => {
    server = await startServer({ maxDocumentBytes: MAX });
    const attacker = new TestClient(server.url);
    await attacker.welcome();
    const doc = server.server.document('default')!;
    const codes: (string | undefined)[] = [];
    for (let round = 0; round < 6; round++) {
      codes.push(await send(attacker, fill('a', 250))); // about 25 KB
      codes.push(await send(attacker, `k${round}&=a\na=\n`));
      expect(Buffer.byteLength(doc.snapshot())).toBeLessThanOrEqual(MAX);
    }
    // Old: every fill was accepted (the delete subtracted what the alias kept).
    expect(codes).toContain('DOC_TOO_LARGE');
    expect(Buffer.byteLength(doc.snapshot())).toBeLessThanOrEqual(MAX);
  });

  it('accepts honest churn: replacing and deleting containers frees their room', async () => {
    server = await startServer({ maxDocumentBytes: MAX });
    const writer = new TestClient(server.url);
    await writer.welcome();
    for (let round = 0; round < 40; round++) {
      // Each round about 25 KB: the document would pass 64 KiB on the third round without frees.
      expect(await send(writer, `form={}\n${fill('form', 250)}`)).toBeUndefined();
      expect(await send(writer, `list.!=${round}\nsmall.x=1\nsmall=\n`)).toBeUndefined();
    }
    const doc = server.server.document('default')!;
    expect(Object.keys((doc.root as { form: object }).form).length).toBe(250);
  });
});

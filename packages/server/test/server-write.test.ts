import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const MiB = 1024 * 1024;

describe('server-side writes', () => {
  it('regression: write() dropped maxStatementLength, refusing a statement as long as a frame a client may send (maxFrameBytes above 16 MiB)', async () => {
    server = await startServer({
      maxFrameBytes: 17 * MiB,
      maxStringLength: 17 * MiB,
      maxDocumentBytes: 64 * MiB,
    });
    // Longer than the codec's default statement (16 MiB), shorter than a frame.
    const length = 16 * MiB + 8;
    expect(await server.server.write('default', `s=${'x'.repeat(length)}\n`)).toBe(1);
    expect((server.server.document('default')!.root as { s: string }).s.length).toBe(length);
  });

  it('refuses an unsafe key with the whole write (atomic), or skips it (atomic: false)', async () => {
    server = await startServer();
    await expect(server.server.write('default', 'a=1\n__proto__.x=1\n')).rejects.toMatchObject({
      code: 'UNSAFE_KEY',
      line: 2,
    });
    expect(server.server.document('default')!.root).toEqual({});
    const statements = [
      { op: '=' as const, path: ['a'], value: 1, line: 1 },
      { op: '=' as const, path: ['constructor', 'x'], value: 1, line: 2 },
      { op: '=' as const, path: ['b'], value: 2, line: 3 },
    ];
    const result = await server.server.writeStatements('default', statements, { atomic: false });
    expect(result.rev).toBe(1);
    expect(result.errors.map((error) => (error as { code?: string }).code)).toEqual(['UNSAFE_KEY']);
    expect(server.server.document('default')!.root).toEqual({ a: 1, b: 2 });
  });
});

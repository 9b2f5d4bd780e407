/**
 * The `VarStream` duplex stream of `@varstream/varstream/compat` against the
 * real varstream 0.3.2's: every fixture piped in (seeded random chunks,
 * characters split anywhere), the tree piped out (every writer option set),
 * the 0-result.dat sequence through one stream, strict-mode errors, and the
 * 2013 WebSockIPC server's own usage (vars.dat piped in with `{ end: false }`,
 * the tree sent with `.on('data')` and saved with `.pipe(fs.createWriteStream())`).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Duplex, Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import VarStream, { VarStreamCompatSyntaxError } from '../src/compat/index.js';
import { drain, OracleVarStream, randomChunks, thrown } from './compat.helpers.js';
import { bytesOf, COMPARE, datFiles, FIXTURES, SHARED, textOf } from './legacy.helpers.js';

const FILES = [
  ...datFiles(FIXTURES).map((name) => join(FIXTURES, name)),
  ...datFiles(COMPARE).map((name) => join(COMPARE, name)),
  join(SHARED, 'websockipc-vars.dat'),
];
const VARS_DAT = join(SHARED, 'websockipc-vars.dat');
const WRITER_FLAGS = [0, 2, 4, 6];

const TMP = mkdtempSync(join(tmpdir(), 'varstream-compat-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Pipes `chunks` into `stream` and resolves once the stream has finished reading them. */
async function pipeChunks(chunks: readonly (string | Uint8Array)[], stream: Duplex): Promise<void> {
  const finished = once(stream, 'finish');
  Readable.from(chunks, { objectMode: false }).pipe(stream);
  await finished;
}

/** Pipes a source into `stream` with `{ end: false }` and resolves when the source has ended. */
async function pipeOpen(source: NodeJS.ReadableStream, stream: Duplex): Promise<void> {
  const ended = once(source, 'end');
  source.pipe(stream, { end: false });
  await ended;
  // Let the last chunk's write complete.
  await new Promise((resolve) => setImmediate(resolve));
}

describe('every fixture piped through VarStream streams', () => {
  test.each(FILES.map((file) => [file.slice(SHARED.length + 1), file] as const))(
    '%s: in seeded random byte chunks, then out with every writer option set',
    async (_, file) => {
      const bytes = Buffer.from(bytesOf(file));
      // 0.3.2 decodes each chunk alone: its reference run gets the whole file in one chunk.
      const theirs: Record<string, unknown> = {};
      await pipeChunks([bytes], new OracleVarStream(theirs, 'prop'));
      for (const seed of [1, 2]) {
        const ours: Record<string, unknown> = {};
        await pipeChunks(randomChunks(bytes, seed, 512), VarStream(ours, 'prop'));
        expect(ours, `seed ${seed}`).toStrictEqual(theirs);
      }
      const ours: Record<string, unknown> = {};
      await pipeChunks(randomChunks(textOf(file), 3, 512), new VarStream(ours, 'prop'));
      expect(ours, 'string chunks').toStrictEqual(theirs);
      if (theirs.prop === undefined) return;
      for (const options of WRITER_FLAGS) {
        const out = await drain(VarStream(ours, 'prop', options));
        expect(out.toString(), `options ${options}`).toBe(
          (await drain(new OracleVarStream(theirs, 'prop', options))).toString(),
        );
      }
    },
  );

  test('the 0-result.dat sequence: files 1 to 8 into one stream ({ end: false }), piped out to a file', async () => {
    for (const Ctor of [VarStream, OracleVarStream]) {
      const root = {};
      const stream = new Ctor(root, 'prop');
      for (const name of datFiles(FIXTURES)) {
        if (/^[1-8]-/.test(name)) await pipeOpen(createReadStream(join(FIXTURES, name)), stream);
      }
      const target = join(TMP, `0-result-${Ctor === VarStream ? 'ours' : 'theirs'}.dat`);
      const output = createWriteStream(target);
      new Ctor(root, 'prop').pipe(output);
      await once(output, 'finish');
      expect(readFileSync(target).toString(), Ctor.name).toBe(
        textOf(join(FIXTURES, '0-result.dat')),
      );
    }
  });

  test('characters split across chunks decode correctly (0.3.2 made U+FFFD of them)', async () => {
    const bytes = Buffer.from('a=héllo wörld €𝄞\nb.c=ü\n');
    for (let at = 0; at <= bytes.length; at++) {
      const root = {};
      await pipeChunks([bytes.subarray(0, at), bytes.subarray(at)], VarStream(root, 'p'));
      expect(root, `split at ${at}`).toEqual({ p: { a: 'héllo wörld €𝄞', b: { c: 'ü' } } });
    }
  });

  test('strings written with another encoding are read through their bytes, as in 0.3.2', async () => {
    const theirs = {};
    const theirStream = new OracleVarStream(theirs, 'p');
    theirStream.write(Buffer.from('a=1\nb=é\n').toString('hex'), 'hex');
    theirStream.write('Yz0yCg==', 'base64');
    const ours = {};
    const stream = VarStream(ours, 'p');
    stream.write(Buffer.from('a=1\nb=é\n').toString('hex'), 'hex');
    stream.write('Yz0yCg==', 'base64');
    stream.end();
    await once(stream, 'finish');
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ p: { a: 1, b: 'é', c: 2 } });
  });
});

describe('the readable side', () => {
  /** A tree of about 200 KB of text, with non-ASCII characters. */
  function bigTree(): Record<string, unknown> {
    const text = textOf(join(COMPARE, 'stats.dat'));
    const tree: Record<string, unknown> = {};
    for (let i = 0; i < 8; i++) tree[`copy${i}`] = OracleVarStream.parse(text);
    tree.names = Array.from({ length: 2000 }, (_, i) => `Zoé ${i} — €`);
    return tree;
  }

  test('a synchronous read() gets the whole tree, as 0.3.2 (its stringify reads that way)', () => {
    const tree = bigTree();
    const ours = VarStream({ tree }, 'tree').read();
    const theirs = new OracleVarStream({ tree }, 'tree').read();
    expect(String(ours).length).toBeGreaterThan(150_000);
    expect(String(ours)).toBe(String(theirs));
  });

  test("'data' chunks are Buffers of whole lines: each one decodes alone", async () => {
    const tree = bigTree();
    const stream = VarStream({ tree }, 'tree');
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    await once(stream, 'end');
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(Buffer.isBuffer(chunk)).toBe(true);
      expect(chunk.at(-1)).toBe(0x0a);
      expect(Buffer.from(chunk.toString()).equals(chunk)).toBe(true);
    }
    expect(Buffer.concat(chunks).toString()).toBe(OracleVarStream.stringify(tree));
  });

  test('the tree is taken when the stream is first read', async () => {
    const root: Record<string, unknown> = { tree: { a: 1 } };
    const stream = VarStream(root, 'tree');
    root.tree = { b: 2 };
    expect((await drain(stream)).toString()).toBe('b=2\n');
  });

  test("an empty or primitive root: an 'error' event with 0.3.2's message (0.3.2 threw it)", async () => {
    for (const root of [{}, { tree: 5 }, { tree: null }]) {
      const theirs = thrown(() => new OracleVarStream(root, 'tree').on('data', () => {}));
      const stream = VarStream(root, 'tree');
      stream.resume();
      const [error] = (await once(stream, 'error')) as [Error];
      expect(theirs).toBeDefined();
      expect({ name: error.name, message: error.message }).toEqual(theirs);
    }
  });
});

describe('strict mode through the stream', () => {
  const BAD = ['a b=1\n', 'a=1\nb..c=2\n', 'a=x\\y\n', 'a.b=1\n^9.x=1\n', 'a+ =1\n', 'x\n'];

  test.each(BAD.map((input) => [JSON.stringify(input), input] as const))(
    "%s: an 'error' event with 0.3.2's message and class; the tree as 0.3.2 left it",
    async (_, input) => {
      const theirs = {};
      const error = thrown(() =>
        new OracleVarStream(theirs, 'p', OracleVarStream.Reader.STRICT_MODE).write(input),
      );
      expect(error).toBeDefined();
      const ours = {};
      const stream = VarStream(ours, 'p', VarStream.Reader.STRICT_MODE);
      stream.on('error', () => {});
      stream.write(input);
      const [ourError] = (await once(stream, 'error')) as [Error];
      expect({ name: ourError.name, message: ourError.message }).toEqual(error);
      expect(ours).toEqual(theirs);
      expect(stream.destroyed).toBe(true);
    },
  );

  test('the error carries the code and the position', async () => {
    const stream = VarStream({}, 'p', VarStream.Reader.STRICT_MODE);
    stream.write('a=1\nb=2\nc d=3\n');
    const [error] = (await once(stream, 'error')) as [VarStreamCompatSyntaxError];
    expect(error).toBeInstanceOf(VarStreamCompatSyntaxError);
    expect(error.code).toBe('BAD_SEGMENT');
    expect([error.line, error.column]).toEqual([3, 1]);
  });

  test('tolerant mode: bad statements are skipped silently, as in 0.3.2', async () => {
    const input = 'a b=1\nc=2\n^9.x=1\nd=3\n';
    const theirs = {};
    await pipeChunks([input], new OracleVarStream(theirs, 'p'));
    const ours = {};
    await pipeChunks([input], VarStream(ours, 'p'));
    expect(ours).toEqual(theirs);
  });
});

describe('the WebSockIPC server (2013), as it used varstream', () => {
  /**
   * backend.js: `sharedVarStream = new VarStream(rootScope, 'tree')`, vars.dat
   * piped in with `{ end: false }`, clients' messages written to it, every new
   * client sent `new VarStream(rootScope, 'tree').on('data', ...)`, and the
   * tree saved on exit with `.pipe(fs.createWriteStream(...))`.
   */
  async function server(Ctor: typeof VarStream | typeof OracleVarStream, name: string) {
    const rootScope: Record<string, unknown> = {};
    const shared = new Ctor(rootScope, 'tree');
    await pipeOpen(createReadStream(VARS_DAT), shared);
    const loaded = structuredClone(rootScope);
    // Messages from clients (frontend.js sends `name=value\n` and `name+=text\n`).
    for (const message of [
      'firstname=Zoé\n',
      'message+= Encore\\\nune ligne.\n',
      'subject=Re: ça marche\n',
    ]) {
      shared.write(message);
    }
    await new Promise((resolve) => setImmediate(resolve));
    // A new client: each chunk is sent as one WebSocket message (with a "\n" added).
    const messages: string[] = [];
    const client = new Ctor(rootScope, 'tree');
    client.on('data', (chunk: Buffer) => messages.push(`${chunk.toString()}\n`));
    await once(client, 'end');
    // Saving on exit.
    const file = join(TMP, `vars-${name}.dat`);
    const output = createWriteStream(file);
    new Ctor(rootScope, 'tree').pipe(output);
    await once(output, 'finish');
    return { loaded, tree: rootScope, messages, saved: readFileSync(file) };
  }

  test('same tree loaded, same tree after the messages, same bytes saved', async () => {
    const ours = await server(VarStream, 'ours');
    const theirs = await server(OracleVarStream, 'theirs');
    expect(ours.loaded).toStrictEqual(theirs.loaded);
    expect((ours.loaded.tree as { firstname: string }).firstname).toBe('Mickaël');
    expect((ours.tree.tree as { message: string }).message).toBe(
      'Kikoolol ! Ça marche !!! Encore\nune ligne.',
    );
    expect(ours.tree).toStrictEqual(theirs.tree);
    expect(ours.saved.equals(theirs.saved)).toBe(true);
    // The saved file reads back to the same tree.
    const reloaded = {};
    await pipeChunks([ours.saved], VarStream(reloaded, 'tree'));
    expect(reloaded).toStrictEqual(ours.tree);
    // What a new client receives rebuilds the tree, read as the 2013 client did.
    const client = {};
    const reader = VarStream.Reader(client, 'tree');
    for (const message of ours.messages) reader.read(message);
    expect(client).toStrictEqual(ours.tree);
    const theirClient = {};
    const theirReader = new OracleVarStream.Reader(theirClient, 'tree');
    for (const message of theirs.messages) theirReader.read(message);
    expect(client).toStrictEqual(theirClient);
  });
});

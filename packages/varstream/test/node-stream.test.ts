import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { isVarStreamError } from '../src/errors.js';
import {
  createJsonToVarStreamTransform,
  createReaderTransform,
  createTreeReadableNode,
  parseNodeStream,
} from '../src/node.js';
import { parse } from '../src/parse.js';
import type { ReaderOptions } from '../src/reader.js';
import type { Entry } from '../src/statement.js';
import { stringify } from '../src/stringify.js';
import {
  cut,
  type Fixture,
  jsonFixtures,
  pieces,
  SHARED_DIR,
  varstreamFixtures,
} from './support/fixtures.js';
import { outcomeAsync, type Read, referenceEntries, tag } from './support/outcomes.js';
import { everyOffset, randomChunkings, splitOffsets } from './support/split-plan.js';

const FIXTURES = varstreamFixtures();

async function transformEntries(
  chunks: readonly (string | Uint8Array)[],
  options: ReaderOptions = {},
): Promise<Read> {
  const errors: string[] = [];
  const entries: Entry[] = [];
  const transform = createReaderTransform({ ...options, onError: (e) => errors.push(tag(e)) });
  try {
    await pipeline(
      Readable.from(
        chunks.map((c) => (typeof c === 'string' ? c : Buffer.from(c))),
        {
          objectMode: false,
        },
      ),
      transform,
      new Writable({
        objectMode: true,
        write(entry: Entry, _encoding, callback) {
          entries.push(entry);
          callback();
        },
      }),
    );
  } catch (err) {
    return { entries, errors, thrown: tag(err) };
  }
  return { entries, errors };
}

describe('createReaderTransform', () => {
  it.each(FIXTURES.map((f) => [f.name, f] as const))(
    '%s: same statements for splits at every boundary kind and in many chunks',
    async (_name, fixture: Fixture) => {
      const expected = referenceEntries(fixture.text, { comments: true });
      for (const at of splitOffsets(fixture.bytes)) {
        const got = await transformEntries(cut(fixture.bytes, [at]), { comments: true });
        expect(got, `${fixture.name} byte ${at}`).toEqual(expected);
      }
      for (const offsets of randomChunkings(fixture.bytes)) {
        const got = await transformEntries(cut(fixture.bytes, offsets), { comments: true });
        expect(got, `${fixture.name} chunks at ${offsets}`).toEqual(expected);
      }
      if (everyOffset(fixture.bytes)) {
        const got = await transformEntries(pieces(fixture.bytes, 1), { comments: true });
        expect(got).toEqual(expected);
      }
      expect(await transformEntries(pieces(fixture.text, 3), { comments: true })).toEqual(expected);
    },
  );

  it('strict: the stream is destroyed with the VarStreamError', async () => {
    const got = await transformEntries(['a=1\n', 'b..c=2\n', 'd=3\n'], { strict: true });
    expect(got.thrown).toBe('EMPTY_SEGMENT@2:3');
    expect(got.entries).toHaveLength(1);
  });

  it('tolerant: onError gets each error', async () => {
    const got = await transformEntries(pieces('a=1\nb..c=2\n^x=1\nd=3\n', 2));
    expect(got.errors).toEqual(['EMPTY_SEGMENT@2:3', 'BAD_BACKREF@3:1']);
    expect(got.entries).toHaveLength(2);
  });

  it('respects backpressure: statements are produced only as fast as they are read', async () => {
    const transform = createReaderTransform();
    const chunk = Array.from({ length: 1000 }, (_, i) => `list.+=${i}\n`).join('');
    let accepted = 0;
    for (let i = 0; i < 50; i++) if (transform.write(chunk)) accepted++;
    transform.end();
    await new Promise((r) => setTimeout(r, 20));
    // Nothing read yet: the statements of about one chunk wait, the rest of the input is not read.
    expect(transform.readableLength).toBeLessThanOrEqual(1000 + 16);
    expect(transform.writableLength).toBeGreaterThan(40 * chunk.length);
    expect(accepted).toBeLessThan(50);
    let count = 0;
    for await (const entry of transform) {
      expect((entry as Entry).op).toBe('=');
      count++;
    }
    expect(count).toBe(50_000);
  });
});

describe('createTreeReadableNode', () => {
  it.each(FIXTURES.map((f) => [f.name, f] as const))(
    '%s: the text is stringify(value)',
    async (_name, fixture: Fixture) => {
      const value = parse(fixture.text, { tolerant: true });
      let text = '';
      for await (const chunk of createTreeReadableNode(value, { chunkSize: 50 })) text += chunk;
      expect(text).toBe(stringify(value));
    },
  );

  it('pipes to a byte sink as UTF-8', async () => {
    const value = { name: 'Zoé \u{1F600}', list: [1, 2, { a: 'x\ny' }] };
    const chunks: Buffer[] = [];
    await pipeline(
      createTreeReadableNode(value, { chunkSize: 3 }),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      }),
    );
    expect(Buffer.concat(chunks).toString('utf8')).toBe(stringify(value));
  });

  it('pulls in _read(): a slow consumer holds the writer back', async () => {
    let touched = 0;
    const value: Record<string, unknown> = {};
    for (let i = 0; i < 50_000; i++) {
      Object.defineProperty(value, `k${i}`, {
        enumerable: true,
        get() {
          touched++;
          return i;
        },
      });
    }
    const readable = createTreeReadableNode(value);
    await new Promise((r) => setTimeout(r, 20));
    expect(touched).toBe(0);
    await once(readable, 'readable');
    await new Promise((r) => setTimeout(r, 20));
    // One 64 KiB chunk fills the buffer (high-water mark 16 KiB): ~10 000 lines of 50 000.
    expect(touched).toBeLessThan(15_000);
    const first = readable.read() as string;
    expect(first.startsWith('k0=0\nk1=1\n')).toBe(true);
    readable.destroy();
  });

  it('is destroyed with the writer error', async () => {
    const readable = createTreeReadableNode({ a: 1n });
    readable.resume(); // nothing is written before someone reads
    const [err] = await once(readable, 'error');
    expect(isVarStreamError(err) && err.code).toBe('UNSUPPORTED_VALUE');
  });
});

describe('parseNodeStream', () => {
  it.each(FIXTURES.map((f) => [f.name, f] as const))(
    '%s: a file read in 1-, 7- and 64 KiB-byte chunks gives what parse() gives',
    async (_name, fixture: Fixture) => {
      const file = resolve(SHARED_DIR, fixture.name);
      for (const options of [{}, { strict: true }, { legacy: true }]) {
        const expected = await outcomeAsync((onError) =>
          parse(fixture.text, { ...options, onError }),
        );
        // One byte per read costs a read call per byte: small files only (the
        // 7-byte reads cross every boundary of the large ones).
        const marks = everyOffset(fixture.bytes) ? [1, 7, 65536] : [7, 65536];
        for (const highWaterMark of marks) {
          const got = await outcomeAsync((onError) =>
            parseNodeStream(createReadStream(file, { highWaterMark }), { ...options, onError }),
          );
          expect(got, `${JSON.stringify(options)} hwm ${highWaterMark}`).toEqual(expected);
        }
        const text = await outcomeAsync((onError) =>
          parseNodeStream(createReadStream(file, { encoding: 'utf8', highWaterMark: 5 }), {
            ...options,
            onError,
          }),
        );
        expect(text).toEqual(expected);
      }
    },
  );

  it('strict: rejects with the first error and destroys the readable', async () => {
    const source = new PassThrough();
    source.write('a=1\n');
    source.write('b..c=1\n');
    const err = await parseNodeStream(source, { strict: true }).catch((e: unknown) => e);
    expect(tag(err)).toBe('EMPTY_SEGMENT@2:3');
    expect(source.destroyed).toBe(true);
  });

  it('rejects with the readable’s own error', async () => {
    const source = new PassThrough();
    source.write('a=1\n');
    setTimeout(() => source.destroy(new Error('disk gone')), 5);
    await expect(parseNodeStream(source)).rejects.toThrow('disk gone');
  });
});

describe('createJsonToVarStreamTransform', () => {
  it.each(jsonFixtures().map((f) => [f.name, f] as const))(
    '%s: stringify(JSON.parse(text))',
    async (_name, fixture: Fixture) => {
      for (const highWaterMark of [1, 13, 65536]) {
        let text = '';
        const file = resolve(SHARED_DIR, fixture.name);
        for await (const chunk of createReadStream(file, { highWaterMark }).pipe(
          createJsonToVarStreamTransform(),
        )) {
          text += chunk;
        }
        expect(text).toBe(stringify(JSON.parse(fixture.text)));
      }
    },
  );

  it('is destroyed with a JsonError on invalid JSON', async () => {
    const transform = createJsonToVarStreamTransform();
    transform.end('{"a": [1, 2,, 3]}');
    const [err] = await once(transform, 'error');
    expect(tag(err)).toBe('JSON_SYNTAX@1:13');
  });
});

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli/args.js';
import { main } from '../src/cli/run.js';
import { USAGE } from '../src/cli/usage.js';
import { legacyStringify } from '../src/legacy/index.js';
import { parse } from '../src/parse.js';
import { stringify } from '../src/stringify.js';
import { assertBuilt } from './support/built.js';
import { jsonFixtures, SHARED_DIR, varstreamFixtures } from './support/fixtures.js';

const PACKAGE = fileURLToPath(new URL('../', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { version: string }
).version;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'varstream-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(
  args: string[],
  options: { stdin?: string | Uint8Array; stdout?: Writable } = {},
): Promise<Run> {
  const stdin = new PassThrough();
  stdin.end(options.stdin ?? '');
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const stdout = options.stdout ?? new PassThrough();
  if (options.stdout === undefined) stdout.on('data', (c: Buffer) => out.push(c));
  const stderr = new PassThrough();
  stderr.on('data', (c: Buffer) => err.push(c));
  const code = await main(args, { stdin, stdout, stderr, cwd: dir });
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

function file(name: string, content?: string | Uint8Array): string {
  const path = join(dir, name);
  if (content !== undefined) writeFileSync(path, content);
  return path;
}

describe('usage', () => {
  it('--help prints the usage, --version the version', async () => {
    expect(await cli(['--help'])).toEqual({ code: 0, stdout: USAGE, stderr: '' });
    expect(await cli(['to-json', '-h'])).toMatchObject({ code: 0, stdout: USAGE });
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    expect(USAGE).toContain('Exit codes:');
    expect(USAGE).toContain('file:line:column: CODE message');
  });

  it.each([
    [[], 'missing command'],
    [['convert'], 'unknown command "convert"'],
    [['data.txt'], 'missing command for "data.txt"'],
    [['-'], 'missing command for "-"'],
    [['to-json', '--nope'], 'unknown option --nope'],
    [['from-json', '--pretty'], '--pretty does not apply to from-json'],
    [['check', '-o', 'x'], '-o/--output does not apply to check'],
    [['to-json', '--arrays', 'index'], '--arrays does not apply to to-json'],
    [['from-json', '--arrays', 'sparse'], '--arrays takes "index" or "append"'],
    [['from-json', '--arrays'], '--arrays needs a value'],
    [['to-json', 'a.vs', 'b.vs'], 'too many arguments: b.vs'],
    [['to-json', '--limit', 'maxDepth=3'], 'unknown limit "maxDepth"'],
    [['to-json', '--limit', 'maxNodes=lots'], '--limit maxNodes needs a whole number'],
    [['to-json', '--strict=yes'], '--strict takes no value'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const run = await cli(args as string[]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`varstream: ${message}`);
    expect(run.stderr).toContain('varstream --help');
  });

  it('parses options in any order and every spelling', () => {
    expect(
      parseArgs(['from-json', '--no-compress', 'in.json', '-oout.vs', '--arrays=index']),
    ).toEqual({
      kind: 'run',
      options: expect.objectContaining({
        command: 'from-json',
        file: 'in.json',
        output: 'out.vs',
        compress: false,
        arrays: 'index',
      }),
    });
    expect(
      parseArgs(['to-json', '--output', 'o.json', '--limit', 'maxNodes=1_000', '--', '-odd.vs']),
    ).toEqual({
      kind: 'run',
      options: expect.objectContaining({
        file: '-odd.vs',
        output: 'o.json',
        limits: { maxNodes: 1000 },
      }),
    });
    expect(parseArgs(['check', '-'])).toMatchObject({ options: { file: undefined } });
  });

  it('infers the command only from .json, .vs or .dat', () => {
    expect(parseArgs(['data.JSON'])).toMatchObject({
      options: { command: 'from-json', inferred: true },
    });
    expect(parseArgs(['x.vs', '--pretty'])).toMatchObject({ options: { command: 'to-json' } });
    expect(parseArgs(['x.dat', '-o', 'x.json'])).toMatchObject({ options: { command: 'to-json' } });
  });
});

describe('from-json', () => {
  it.each(jsonFixtures().map((f) => [f.name, f] as const))(
    '%s: stdin to stdout is stringify(JSON.parse(json))',
    async (_name, fixture) => {
      const run = await cli(['from-json'], { stdin: fixture.bytes });
      expect(run).toEqual({ code: 0, stdout: stringify(JSON.parse(fixture.text)), stderr: '' });
      const index = await cli(['from-json', '--arrays', 'index', '--no-compress'], {
        stdin: fixture.text,
      });
      expect(index.stdout).toBe(
        stringify(JSON.parse(fixture.text), { arrays: 'index', compress: false }),
      );
    },
  );

  it('writes -o through a temporary file, renamed once complete', async () => {
    file('in.json', '{"a":[1,{"b":"x y"}],"c":{}}');
    const run = await cli(['from-json', 'in.json', '-o', 'out.vs']);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(readFileSync(file('out.vs'), 'utf8')).toBe('a.!=1\na.+.b=x y\nc={}\n');
    // Invalid input: error on stderr, exit 1, the existing output untouched, no temporary file left.
    file('bad.json', '{"a":[1,\n  {"b": tru}]}');
    const bad = await cli(['from-json', 'bad.json', '-o', 'out.vs']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("bad.json:2:12: JSON_SYNTAX Invalid literal: expected 'true'\n");
    expect(readFileSync(file('out.vs'), 'utf8')).toBe('a.!=1\na.+.b=x y\nc={}\n');
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('reports JSON errors with <stdin>:line:column and the code', async () => {
    expect(await cli(['from-json'], { stdin: '' })).toMatchObject({
      code: 1,
      stderr: '<stdin>:1:1: JSON_UNEXPECTED_END No JSON value\n',
    });
    expect((await cli(['from-json'], { stdin: '[1,2' })).stderr).toBe(
      '<stdin>:1:5: JSON_UNEXPECTED_END Unexpected end of input: 1 unclosed container\n',
    );
    expect((await cli(['from-json'], { stdin: new Uint8Array([0x22, 0xff, 0x22]) })).stderr).toBe(
      '<stdin>:1:2: JSON_BAD_UTF8 Invalid UTF-8 at byte 1\n',
    );
    const deep = await cli(['from-json', '--limit', 'maxPathDepth=2'], { stdin: '[[[1]]]' });
    expect(deep).toMatchObject({
      code: 1,
      stderr: '<stdin>:1:3: JSON_LIMIT Nesting deeper than 2 (maxPathDepth)\n',
    });
  });

  it('--legacy writes what varstream 0.3.2’s json2varstream wrote', async () => {
    const fixture = jsonFixtures().find((f) => f.name.endsWith('references.json'))!;
    const value = JSON.parse(fixture.text);
    const run = await cli(['from-json', '--legacy'], { stdin: fixture.text });
    expect(run).toEqual({
      code: 0,
      stdout: legacyStringify(value, { morphContexts: true, mergeArrays: true }),
      stderr: '',
    });
    const plain = await cli(['from-json', '--legacy', '--no-compress', '--arrays', 'index'], {
      stdin: fixture.text,
    });
    expect(plain.stdout).toBe(legacyStringify(value, { morphContexts: false, mergeArrays: false }));
  });

  it('waits for drain: the output buffer never holds much more than one chunk', async () => {
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      name: `n${i}`,
      tags: ['a', 'b'],
    }));
    let maxBuffered = 0;
    let written = '';
    const slow = new Writable({
      highWaterMark: 1024,
      decodeStrings: false,
      write(chunk: string, _encoding, callback) {
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        written += chunk;
        setImmediate(callback);
      },
    });
    const json = JSON.stringify({ records });
    const run = await cli(['from-json'], { stdin: json, stdout: slow });
    expect(run.code).toBe(0);
    expect(written).toBe(stringify(JSON.parse(json)));
    expect(written.length).toBeGreaterThan(500_000);
    expect(maxBuffered).toBeLessThan(200_000);
  });
});

describe('to-json', () => {
  it.each(varstreamFixtures().map((f) => [f.name, f] as const))(
    '%s: JSON of parse(text), or a clear error when JSON cannot hold it',
    async (_name, fixture) => {
      const value = parse(fixture.text, { tolerant: true });
      const run = await cli(['to-json'], { stdin: fixture.bytes });
      let shared = false;
      try {
        JSON.stringify(value);
        // A value reached twice is shared: JSON would duplicate it.
        shared = stringify(value).includes('&=');
      } catch {
        shared = true;
      }
      if (shared) {
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^<stdin>: JSON_UNSUPPORTED (Circular|Shared) reference/m);
        expect(run.stdout).toBe('');
        return;
      }
      const errors: string[] = [];
      parse(fixture.text, { onError: (e) => errors.push(e.code) });
      expect(run.code).toBe(errors.length > 0 ? 1 : 0);
      expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(value)));
      expect(run.stdout).toBe(`${JSON.stringify(value)}\n`);
    },
  );

  it('--pretty indents by 2; the JSON round-trips through from-json', async () => {
    for (const fixture of jsonFixtures()) {
      const vs = await cli(['from-json'], { stdin: fixture.text });
      const back = await cli(['to-json', '--pretty'], { stdin: vs.stdout });
      expect(back).toEqual({
        code: 0,
        stdout: `${JSON.stringify(JSON.parse(fixture.text), null, 2)}\n`,
        stderr: '',
      });
    }
  });

  it('tolerant: reports each bad statement, still writes the rest, exits 1', async () => {
    const run = await cli(['to-json'], { stdin: 'a=1\nb..c=2\nd.e=3\nd.e+=true\n' });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('{"a":1,"d":{"e":3}}\n');
    expect(run.stderr).toBe(
      '<stdin>:2:3: EMPTY_SEGMENT Empty path segment\n' +
        '<stdin>:4:1: TYPE_MISMATCH "+=" cannot add a boolean to a number (path d.e)\n',
    );
  });

  it('--strict: the first error stops it, nothing written', async () => {
    file('bad.vs', 'a=1\nb..c=2\nd=3\n');
    const run = await cli(['to-json', '--strict', 'bad.vs', '-o', 'strict-out.json']);
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: 'bad.vs:2:3: EMPTY_SEGMENT Empty path segment\n',
    });
    expect(existsSync(file('strict-out.json'))).toBe(false);
  });

  it('NaN, Infinity and holes: a warning (null in the JSON), an error with --strict', async () => {
    const text = 'n=NaN\nlist.2=x\ninf=-Infinity\nz=-0\n';
    const run = await cli(['to-json'], { stdin: text });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('{"n":null,"list":[null,null,"x"],"inf":null,"z":-0}\n');
    expect(run.stderr).toBe(
      '<stdin>: warning: NaN is not JSON: written as null (path n)\n' +
        '<stdin>: warning: An array hole is not JSON: written as null (path list.0)\n' +
        '<stdin>: warning: An array hole is not JSON: written as null (path list.1)\n' +
        '<stdin>: warning: -Infinity is not JSON: written as null (path inf)\n',
    );
    const strict = await cli(['to-json', '--strict'], { stdin: text });
    expect(strict).toEqual({
      code: 1,
      stdout: '',
      stderr: '<stdin>: JSON_UNSUPPORTED NaN is not JSON: written as null (path n)\n',
    });
  });

  it('shared and circular references are errors', async () => {
    expect(await cli(['to-json'], { stdin: 'a.x=1\nb&=a\n' })).toEqual({
      code: 1,
      stdout: '',
      stderr:
        '<stdin>: JSON_UNSUPPORTED Shared reference: the same value as a (JSON would duplicate it) (path b)\n',
    });
    expect((await cli(['to-json'], { stdin: 'a.x=1\na.self&=a\n' })).stderr).toBe(
      '<stdin>: JSON_UNSUPPORTED Circular reference to a: JSON cannot hold it (path a.self)\n',
    );
  });

  it('--legacy reads as varstream 0.3.2 does', async () => {
    for (const fixture of varstreamFixtures()) {
      const value = parse(fixture.text, { legacy: true });
      const run = await cli(['to-json', '--legacy'], { stdin: fixture.bytes });
      let json: string;
      try {
        json = JSON.stringify(value);
      } catch {
        expect(run.code, fixture.name).toBe(1);
        continue;
      }
      if (run.code === 0) expect(run.stdout, fixture.name).toBe(`${json}\n`);
    }
    expect((await cli(['to-json', '--legacy'], { stdin: 'a=1 # x\n' })).stdout).toBe(
      '{"a":"1 # x"}\n',
    );
  });

  it('--limit raises or lowers the codec limits', async () => {
    const text = Array.from({ length: 10 }, (_, i) => `k${i}=${i}\n`).join('');
    const run = await cli(['to-json', '--strict', '--limit', 'maxNodes=5'], { stdin: text });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^<stdin>:5:1: LIMIT_NODES More than 5 values/);
  });
});

describe('check', () => {
  it('reports every error with line, column and code; exit 1', async () => {
    const text = 'a.b=1\nc..d=2\nx=3\n a=1\ny.z&=nowhere\nq="open\n';
    const run = await cli(['check'], { stdin: text });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr:
        '<stdin>:2:3: EMPTY_SEGMENT Empty path segment\n' +
        '<stdin>:4:1: BAD_SEGMENT Illegal character in a path segment\n' +
        '<stdin>:5:1: REF_NOT_FOUND Nothing at nowhere to refer to (path y.z)\n' +
        '<stdin>: 3 errors\n',
    });
  });

  it('--strict stops at the first error', async () => {
    const run = await cli(['check', '--strict'], { stdin: 'a=1\nc..d=2\n a=1\n' });
    expect(run).toEqual({
      code: 1,
      stdout: '',
      stderr: '<stdin>:2:3: EMPTY_SEGMENT Empty path segment\n',
    });
  });

  it('is silent on valid input (exit 0), every fixture as parse() sees it', async () => {
    for (const fixture of varstreamFixtures()) {
      const errors: string[] = [];
      parse(fixture.text, { onError: (e) => errors.push(`${e.line}:${e.column ?? 1}: ${e.code}`) });
      const path = resolve(SHARED_DIR, fixture.name);
      const run = await cli(['check', path]);
      expect(run.code, fixture.name).toBe(errors.length > 0 ? 1 : 0);
      const lines = run.stderr
        .split('\n')
        .filter((l) => l.startsWith(`${path}:`) && !l.endsWith('errors') && !l.endsWith('error'));
      expect(
        lines.map((l) => l.slice(path.length + 1).replace(/^(\d+:\d+: \w+).*$/, '$1')),
      ).toEqual(errors);
    }
  });
});

describe('format', () => {
  it('writes the canonical form: stringify(parse(text))', async () => {
    for (const fixture of varstreamFixtures()) {
      const run = await cli(['format'], { stdin: fixture.text });
      expect(run.stdout, fixture.name).toBe(stringify(parse(fixture.text, { tolerant: true })));
    }
    const run = await cli(['format', '--no-compress', '--arrays', 'index'], {
      stdin: 'a.b.+=1\na.b.+=2\n^1.c=x\n',
    });
    expect(run).toEqual({ code: 0, stdout: 'a.b.0=1\na.b.1=2\na.c=x\n', stderr: '' });
  });
});

describe('I/O errors (exit 3)', () => {
  it('a missing input, an unwritable output', async () => {
    expect(await cli(['to-json', 'missing.vs'])).toEqual({
      code: 3,
      stdout: '',
      stderr: 'varstream: cannot read missing.vs: ENOENT (no such file or directory)\n',
    });
    expect(await cli(['to-json', '.'])).toMatchObject({
      code: 3,
      stderr: 'varstream: cannot read .: EISDIR (is a directory)\n',
    });
    file('ok.vs', 'a=1\n');
    const run = await cli(['to-json', 'ok.vs', '-o', 'no/such/dir/out.json']);
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: 'varstream: cannot write no/such/dir/out.json: ENOENT (no such file or directory)\n',
    });
  });

  it('a standard output that fails', async () => {
    const broken = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('disk full'), { code: 'ENOSPC' }));
      },
    });
    const run = await cli(['from-json'], { stdin: '{"a":1}', stdout: broken });
    expect(run).toEqual({
      code: 3,
      stdout: '',
      stderr: 'varstream: cannot write <stdout>: ENOSPC (no space left on device)\n',
    });
  });
});

describe('round trip', () => {
  it('property: JSON → from-json → to-json → the same JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), async (json) => {
        const vs = await cli(['from-json'], { stdin: json });
        expect(vs.code).toBe(0);
        const back = await cli(['to-json'], { stdin: vs.stdout });
        expect(back.code).toBe(0);
        expect(back.stdout).toBe(`${JSON.stringify(JSON.parse(json))}\n`);
      }),
      { numRuns: 200 },
    );
  });
});

const MAIN = join(PACKAGE, 'dist/cli/main.js');
describe('end to end: node dist/cli/main.js', () => {
  beforeAll(() => assertBuilt(MAIN));
  const node = (args: string[], input?: string) =>
    spawnSync(process.execPath, [MAIN, ...args], { input, cwd: dir, encoding: 'utf8' });

  it('starts with a shebang and runs', () => {
    expect(readFileSync(MAIN, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const version = node(['--version']);
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${VERSION}\n`);
  });

  it('converts through pipes and files, with the documented exit codes', () => {
    const json = '{"users":[{"name":"Zoé","tags":["a","b"]},{"name":"Li"}],"n":1e-7}';
    const vs = node(['from-json'], json);
    expect(vs.status).toBe(0);
    expect(vs.stdout).toBe(stringify(JSON.parse(json)));
    file('e2e.vs', vs.stdout);
    const back = node(['e2e.vs', '-o', 'e2e.json']);
    expect(back.status).toBe(0);
    expect(readFileSync(file('e2e.json'), 'utf8')).toBe(`${JSON.stringify(JSON.parse(json))}\n`);
    expect(node(['check'], 'a..b=1\n')).toMatchObject({
      status: 1,
      stderr: '<stdin>:1:3: EMPTY_SEGMENT Empty path segment\n<stdin>: 1 error\n',
    });
    expect(node(['to-json', '--bogus']).status).toBe(2);
    expect(node(['to-json', 'missing.vs']).status).toBe(3);
  });
});

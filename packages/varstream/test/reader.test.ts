import { describe, expect, it } from 'vitest';
import {
  APPEND,
  EMPTY_ARRAY,
  EMPTY_OBJECT,
  type Entry,
  LAST,
  PathContext,
  parse,
  RESET,
  Reader,
  type VarStreamError,
} from '../src/index.js';

function entries(text: string, options: ConstructorParameters<typeof Reader>[0] = {}): Entry[] {
  const reader = new Reader(options);
  reader.end(text);
  return reader.readAll();
}

function errorsOf(text: string): string[] {
  const errors: string[] = [];
  parse(text, { onError: (e) => errors.push(`${e.code} ${e.line}:${e.column}`) });
  return errors;
}

describe('Reader: statements', () => {
  it('reads paths, operators and typed values', () => {
    const [a, b, c, d] = entries('a.b.c=1\nlist.+=x\nn*=2\nref&=a.b\n') as never[];
    expect(a).toEqual({ op: '=', path: ['a', 'b', 'c'], value: 1, ref: undefined, line: 1 });
    expect(b).toMatchObject({ op: '=', path: ['list', APPEND], value: 'x' });
    expect(c).toMatchObject({ op: '*=', path: ['n'], value: 2 });
    expect(d).toMatchObject({ op: '&=', path: ['ref'], ref: ['a', 'b'], value: undefined });
  });

  it('types bare values exactly as 0.3.2, plus {} and []', () => {
    const values = entries(
      'a=null\na=true\na=false\na=NaN\na=Infinity\na=-Infinity\na=-007.50\na=1e5\na=.5\na=+5\na=0x1F\na= 1\na={}\na=[]\na=True\na=\n',
    ).map((e) => (e.op === '#' ? undefined : e.value));
    expect(values).toEqual([
      null,
      true,
      false,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -7.5,
      '1e5',
      '.5',
      '+5',
      '0x1F',
      ' 1',
      EMPTY_OBJECT,
      EMPTY_ARRAY,
      'True',
      undefined,
    ]);
  });

  it('reads quoted values and keys with JSON escapes and raw line breaks', () => {
    expect(
      parse('a="123"\n"x.y"."="=1\nq="He said \\"hi\\" \\u00e9\\n"\nm="l1\r\nl2\rl3"\n'),
    ).toEqual({
      a: '123',
      'x.y': { '=': 1 },
      q: 'He said "hi" é\n',
      m: 'l1\nl2\nl3',
    });
  });

  it('finishes the quoted strings 0.3.2 left unfinished (9-othertext.dat)', () => {
    const text =
      'v="I\'m the king of the world!"\r\nm="I\'m the king of the world!\r\nYou \\"know\\"!\r\nIt\'s true."\r\n';
    expect(parse(text, { strict: true })).toEqual({
      v: "I'm the king of the world!",
      m: 'I\'m the king of the world!\nYou "know"!\nIt\'s true.',
    });
  });

  it('reads multi-line bare values and escaped backslashes', () => {
    expect(parse('a=line1\\\nline2\nb=x\\\\\nc=x\\\\\\\ny\nd=\\\nx\n')).toEqual({
      a: 'line1\nline2',
      b: 'x\\',
      c: 'x\\\ny',
      d: '\nx',
    });
    expect(parse('a=x\\\r\ny\r\nb=1\r\n')).toEqual({ a: 'x\ny', b: 1 });
  });

  it('expands ^ and ^N against the previous path', () => {
    // ^3 is out of range there: that statement is skipped
    expect(parse('a.b.c=1\n^.d=2\n^1.x=3\n^0.y=4\n^3.z=5\n', { tolerant: true })).toEqual({
      a: { b: { c: 1, d: 2 }, x: 3 },
      y: 4,
    });
    expect(parse('a.b.c=1\n^3.z=5\n')).toEqual({ a: { b: { c: { z: 5 } } } });
    // bare ^ alone is the previous path minus its last segment: here the root
    expect(parse('a.b=1\n^=2\n')).toEqual({ a: 2 });
    expect(parse('y=1\n^=5\n')).toBe(5);
    expect(parse('a.+.x=1\n^.y=2\na.+.x=3\n^.y=4\n')).toEqual({
      a: [
        { x: 1, y: 2 },
        { x: 3, y: 4 },
      ],
    });
  });

  it('without a tree, ^ after + means the element just appended (*)', () => {
    const [, second] = entries('a.+.x=1\n^.y=2\na.!.z=3\n^.w=4\n') as never[];
    expect(second).toMatchObject({ path: ['a', LAST, 'y'] });
    const all = entries('a.!.z=3\n^.w=4\n');
    expect(all[0]).toMatchObject({ path: ['a', RESET, 'z'] });
    expect(all[1]).toMatchObject({ path: ['a', 0, 'w'] });
  });

  it('follows the concrete path the tree applied when the context is shared', () => {
    const context = new PathContext();
    context.previous = ['list', 7, 'name'];
    const [e] = entries('^.age=3\n', { context }) as never[];
    expect(e).toMatchObject({ path: ['list', 7, 'age'] });
  });

  it('expands the reference of &= before the left side (as 0.3.2)', () => {
    // the left side's ^ follows the reference just read, not the previous line
    const [, e] = entries('x.y.z=1\n^.q&=a.b.c\n') as never[];
    expect(e).toMatchObject({ path: ['a', 'b', 'q'], ref: ['a', 'b', 'c'] });
    const [, f] = entries('x.y.z=1\n^.q&=^.r\n') as never[];
    expect(f).toMatchObject({ ref: ['x', 'y', 'r'], path: ['x', 'y', 'q'] });
  });

  it('yields comments on request, including protocol meta lines', () => {
    const all = entries('#vs change id=a:1\na=1\n  # indented\n', { comments: true });
    expect(all).toEqual([
      { op: '#', text: 'vs change id=a:1', line: 1 },
      { op: '=', path: ['a'], value: 1, ref: undefined, line: 2 },
      { op: '#', text: ' indented', line: 3 },
    ]);
  });

  it('applies a last line without a line break at the end of input (0.3.2 drops it)', () => {
    expect(parse('a=1\nb=2')).toEqual({ a: 1, b: 2 });
  });
});

describe('Reader: errors carry code, line and column; tolerant mode skips only the bad statement', () => {
  it('reports each bad line and keeps the good ones', () => {
    const text = 'ok1=1\na..b=1\n=1\na\nb-c=1\n^x=1\na b=1\n é=1\nx.^.y=1\na+ =1\nok2=2\n';
    expect(errorsOf(text)).toEqual([
      'EMPTY_SEGMENT 2:3',
      'EMPTY_PATH 3:1',
      'NO_OPERATOR 4:2',
      'BAD_OPERATOR 5:3',
      'BAD_BACKREF 6:1',
      'BAD_SEGMENT 7:2',
      'BAD_SEGMENT 8:1',
      'BAD_BACKREF 9:3',
      'BAD_OPERATOR 10:3',
    ]);
    expect(parse(text, { tolerant: true })).toEqual({ ok1: 1, ok2: 2 });
  });

  it('locates errors inside multi-line statements', () => {
    expect(errorsOf('a=x\\\ny\nz..q=1\nb="a\nb\\q"\n')).toEqual([
      'EMPTY_SEGMENT 3:3',
      'BAD_ESCAPE 5:2',
    ]);
  });

  // Regression: a lone backslash was BAD_ESCAPE, so files written by 0.3.2
  // (whose writer never escaped backslashes) and lines sent by 2013 clients
  // were refused (`--init vars.dat` holding `path=C:\temp` did not start);
  // 0.3.2 reads it as a backslash.
  it('reads a lone backslash in a bare value as itself, as 0.3.2, in every mode', () => {
    const text = 'path=C:\\temp\\new\nsmile=\\o/\nml=a\\\nb\\c\\\\d\n';
    const tree = { path: 'C:\\temp\\new', smile: '\\o/', ml: 'a\nb\\c\\d' };
    expect(parse(text, { strict: true })).toEqual(tree);
    expect(parse(text, { legacy: true })).toEqual(tree);
    const values = entries(text, { strict: true }).map((e) => ('value' in e ? e.value : e));
    expect(values).toEqual(Object.values(tree));
  });

  // Regression: these were BAD_QUOTE, so the 2013 WebSockIPC page lost every
  // quote typed at the end of a field (it sends `subject+="`, puts the field
  // back and waits for the echo the server never sent) and 0.3.2 files holding
  // `say="hi" twice` did not load; 0.3.2 reads them as bare text.
  it('reads a value starting with " that is no well-formed quoted value as bare text, as 0.3.2', () => {
    const text = 'a="open\nb=2\nc="x"y\nd+="\ne="a"b"\nf="two\\\nlines\ng="q"\nh="m\nl"\n';
    const tree = {
      a: '"open',
      b: 2,
      c: '"x"y',
      d: '"',
      e: '"a"b"',
      f: '"two\nlines',
      g: 'q',
      h: 'm\nl',
    };
    expect(parse(text.replace('d+=', 'd=\nd+='), { strict: true })).toEqual(tree);
    expect(errorsOf(text)).toEqual([]);
    const statements = entries(text.replace('d+=', 'd=x\nd+='), { strict: true });
    expect(statements.map((s) => ('value' in s ? s.value : s))).toEqual([
      ...Object.values(tree).slice(0, 3),
      'x',
      '"',
      ...Object.values(tree).slice(4),
    ]);
  });

  it('strict mode throws after consuming the bad statement, and can go on', () => {
    const reader = new Reader({ strict: true });
    reader.end('a=1\nb..c=2\nd=3\n');
    expect(reader.read()).toMatchObject({ path: ['a'] });
    expect(() => reader.read()).toThrowError(
      expect.objectContaining({ code: 'EMPTY_SEGMENT', line: 2, column: 3 }),
    );
    expect(reader.read()).toMatchObject({ path: ['d'] });
    expect(reader.read()).toBeNull();
  });

  it('messages say what and where', () => {
    try {
      parse('good=1\nbad.key!=2\n', { strict: true });
      expect.unreachable();
    } catch (err) {
      const e = err as VarStreamError;
      expect(e.name).toBe('VarStreamError');
      expect(e.message).toBe(
        'Illegal character in a path segment at line 2, column 8: "bad.key!=2"',
      );
      expect(e.toJSON()).toMatchObject({ code: 'BAD_SEGMENT', line: 2, column: 8 });
    }
  });
});

describe('Reader: bytes', () => {
  it('decodes UTF-8 split inside a character', () => {
    const bytes = new TextEncoder().encode('a=héllo wörld €\n');
    for (let i = 0; i <= bytes.length; i++) {
      const reader = new Reader();
      reader.write(bytes.subarray(0, i));
      reader.end(bytes.subarray(i));
      expect(reader.readAll()).toMatchObject([{ value: 'héllo wörld €' }]);
    }
  });

  it('refuses invalid UTF-8 in strict mode and replaces it (reported) otherwise', () => {
    const bad = new Uint8Array([0x61, 0x3d, 0xff, 0xfe, 0xc3, 0x28, 0x0a]);
    expect(() => new Reader({ strict: true }).write(bad)).toThrowError(
      expect.objectContaining({ code: 'BAD_UTF8' }),
    );
    const errors: VarStreamError[] = [];
    const reader = new Reader({ onError: (e) => errors.push(e) });
    reader.end(bad);
    expect(reader.readAll()).toMatchObject([{ value: '\ufffd\ufffd\ufffd(' }]);
    expect(errors[0]?.message).toMatch(/Invalid UTF-8 at byte 2/);
  });
});

describe('Reader: limits and constant memory', () => {
  it('skips an over-long statement without buffering it, then carries on', () => {
    const errors: VarStreamError[] = [];
    const reader = new Reader({
      limits: { maxStatementLength: 1000 },
      onError: (e) => errors.push(e),
    });
    const got: Entry[] = [];
    reader.write('a=1\nhuge=');
    for (let i = 0; i < 1000; i++) {
      reader.write('x'.repeat(1000));
      for (let e = reader.read(); e !== null; e = reader.read()) got.push(e);
    }
    reader.end('\\\nstill huge\nb=2\n');
    got.push(...reader.readAll());
    expect(got.map((e) => (e.op === '#' ? '#' : e.path.join('.')))).toEqual(['a', 'b']);
    expect(errors.map((e) => e.code)).toEqual(['LIMIT_STATEMENT']);
  });

  it('refuses paths deeper than maxPathDepth and indices above maxArrayIndex', () => {
    expect(errorsOf(`${'a.'.repeat(1000)}b=1\n`)).toEqual(['LIMIT_DEPTH 1:2001']);
    expect(errorsOf('a.10000001=1\nb.99999999999999999999=1\n')).toEqual([
      'LIMIT_INDEX 1:3',
      'LIMIT_INDEX 2:3',
    ]);
  });

  it('handles a 200 000-character key and a 100 000-segment path (timed in pnpm bench)', () => {
    const key = 'k'.repeat(200_000);
    expect(Object.keys(parse(`${key}=1\n`) as object)).toEqual([key]);
    const deep = `${Array.from({ length: 100_000 }, () => 'a').join('.')}=1\n`;
    let node = parse(deep, { limits: { maxPathDepth: 200_000 } }) as Record<string, unknown>;
    let depth = 0;
    while (typeof node === 'object') {
      node = node.a as Record<string, unknown>;
      depth++;
    }
    expect(depth).toBe(100_000);
  });
});

describe('Reader: byte order mark', () => {
  it('ignores a UTF-8 byte order mark at the start, as text or bytes, whole or split', () => {
    const text = '\ufeffa=1\nb=\ufeff\n';
    expect(parse(text, { strict: true })).toEqual({ a: 1, b: '\ufeff' });
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i <= 4; i++) {
      const reader = new Reader({ strict: true });
      reader.write(bytes.subarray(0, i));
      reader.end(bytes.subarray(i));
      expect(reader.readAll().map((e) => (e.op === '#' ? '#' : e.path.join('.')))).toEqual([
        'a',
        'b',
      ]);
    }
  });
});

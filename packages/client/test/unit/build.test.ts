import { APPEND, parse, RESET } from '@varstream/varstream';
import { describe, expect, it } from 'vitest';
import { opStatement, setStatements } from '../../src/changes/build.js';
import { changeBody, changeFrame } from '../../src/changes/change-frame.js';
import { parseChange } from '../../src/changes/parse-change.js';
import { ClientError } from '../../src/errors.js';
import { toPath } from '../../src/paths/path-input.js';

const body = (path: string, value: unknown) => changeBody(setStatements(toPath(path), value));

describe('statement building', () => {
  it('writes scalars with the codec, strings that look like numbers quoted', () => {
    expect(body('form.age', 12)).toBe('form.age=12\n');
    expect(body('form.zip', '12')).toBe('form.zip="12"\n');
    expect(body('form.flag', 'true')).toBe('form.flag="true"\n');
    expect(body('form.name', 'Alice')).toBe('form.name=Alice\n');
    expect(body('form.empty', '')).toBe('form.empty=""\n');
    expect(body('form.none', null)).toBe('form.none=null\n');
    expect(parse(body('a', 'multi\nline'))).toEqual({ a: 'multi\nline' });
  });

  it('expands objects and arrays into a container statement then children', () => {
    const text = body('form', { name: 'Bob', tags: ['x', '1'], address: { zip: '01000' } });
    expect(text).toBe(
      'form={}\nform.name=Bob\nform.tags=[]\nform.tags.0=x\nform.tags.1="1"\nform.address={}\nform.address.zip="01000"\n',
    );
    expect(parse(text)).toEqual({
      form: { name: 'Bob', tags: ['x', '1'], address: { zip: '01000' } },
    });
  });

  it('addresses what `+` and `!` created as `*` and 0', () => {
    const push = changeBody(setStatements([...toPath('list'), APPEND], { n: 1 }));
    expect(push).toBe('list.+={}\nlist.*.n=1\n');
    const reset = changeBody(setStatements([...toPath('list'), RESET], { n: 1 }));
    expect(reset).toBe('list.!={}\nlist.0.n=1\n');
  });

  it('refuses values VarStream cannot hold', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [() => 1, Symbol('s'), 1n, new Date(), cyclic]) {
      expect(() => setStatements(['a'], value)).toThrow(ClientError);
    }
    expect(() => opStatement('+=', ['a'], {})).toThrow(/needs a number/);
  });

  it('keeps operators and references', () => {
    expect(changeBody([opStatement('+=', ['t'], '2')])).toBe('t+="2"\n');
    expect(changeBody([opStatement('-=', ['n'], 3)])).toBe('n-=3\n');
    expect(changeBody([opStatement('&=', ['a'], ['b', 'c'])])).toBe('a&=b.c\n');
    expect(changeBody([opStatement('=', ['a'], undefined)])).toBe('a=\n');
  });

  it('frames a change with its sequence number, or its whole id when another client made it', () => {
    expect(changeFrame('k7:3', 'k7', 'a=1\n')).toBe('#vs change s=3\na=1\n');
    expect(changeFrame('old:3', 'k7', 'a=1\n')).toBe('#vs change id=old:3\na=1\n');
  });

  it('parses raw text into absolute statements, appends kept apart', () => {
    const statements = parseChange('list.+.a=1\n^.b=2\nlist.+.a=3\n# comment\n');
    const text = changeBody(statements);
    expect(text).toBe('list.+.a=1\nlist.*.b=2\nlist.+.a=3\n');
    expect(parse(text)).toEqual({ list: [{ a: 1, b: 2 }, { a: 3 }] });
    expect(() => parseChange('a..b=1')).toThrow(expect.objectContaining({ code: 'EMPTY_SEGMENT' }));
  });

  it('parses paths with the codec, root as the empty string', () => {
    expect(toPath('')).toEqual([]);
    expect(toPath('form."first name".0')).toEqual(['form', 'first name', 0]);
    expect(() => toPath('a b')).toThrow(expect.objectContaining({ code: 'BAD_PATH' }));
  });
});

import { parse } from '@varstream/varstream';
import { describe, expect, it } from 'vitest';
import { toPath } from '../../src/paths/path-input.js';
import { affected, matches } from '../../src/subscriptions/pattern.js';
import { Subscriptions } from '../../src/subscriptions/subscriptions.js';

function hits(pattern: string, touched: string, root: unknown, known: string[] = []): string[] {
  const out = new Map<string, (string | number)[]>();
  affected(toPath(pattern), touched === '!' ? [] : toPath(touched), root, known.map(toPath), out);
  return [...out.values()].map((p) => p.join('.'));
}

describe('patterns', () => {
  const root = parse('form.a=1\nform.b=2\nlist.0.n=1\nlist.1.n=2\n');

  it('match exact paths, any key (*) and any index (+)', () => {
    expect(matches(toPath('form.*'), toPath('form.a'))).toBe(true);
    expect(matches(toPath('list.+'), toPath('list.3'))).toBe(true);
    expect(matches(toPath('list.+'), toPath('form.a'))).toBe(false);
    expect(matches(toPath('form.*'), toPath('form'))).toBe(false);
  });

  it('find what a change at, under or above a pattern affects', () => {
    expect(hits('form.a', 'form.a', root)).toEqual(['form.a']);
    expect(hits('form', 'form.a', root)).toEqual(['form']); // something under it changed
    expect(hits('form.*', 'form', root)).toEqual(['form.a', 'form.b']); // replaced from above
    expect(hits('form.*', 'form', root, ['form.gone'])).toEqual(['form.a', 'form.b', 'form.gone']);
    expect(hits('list.+.n', 'list.1.n', root)).toEqual(['list.1.n']);
    expect(hits('list.+.n', 'list.!', root)).toEqual(['list.0.n', 'list.1.n']); // array emptied
    expect(hits('form.a', 'list.0', root)).toEqual([]);
    expect(hits('', 'list.0.n', root)).toEqual(['']);
  });
});

describe('subscriptions', () => {
  it('call back once per changed path, never for an unchanged scalar', () => {
    let root: Record<string, unknown> = { form: { a: 1 } };
    const subs = new Subscriptions((e) => {
      throw e;
    });
    const calls: [unknown, string][] = [];
    subs.add(toPath('form.*'), (v, p) => calls.push([v, p]), root);
    subs.notify([toPath('form.a')], root);
    expect(calls).toEqual([]); // same value as at subscribe time
    root = { form: { a: 2, b: 3 } };
    subs.notify([toPath('form')], root);
    expect(calls).toEqual([
      [2, 'form.a'],
      [3, 'form.b'],
    ]);
    root = { form: {} };
    subs.notify([toPath('form')], root);
    expect(calls.slice(2)).toEqual([
      [undefined, 'form.a'],
      [undefined, 'form.b'],
    ]);
  });

  it('report a throwing subscriber and go on', () => {
    const errors: unknown[] = [];
    const subs = new Subscriptions((e) => errors.push(e));
    const seen: string[] = [];
    const root = { a: 1 };
    subs.add(
      [],
      () => {
        throw new Error('boom');
      },
      root,
    );
    const off = subs.add([], (_v, p) => seen.push(p), root);
    subs.notify([['a']], root);
    expect(errors).toHaveLength(1);
    expect(seen).toEqual(['']);
    off();
    subs.notify([['a']], root);
    expect(seen).toEqual(['']);
  });
});

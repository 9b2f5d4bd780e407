import { afterEach, describe, expect, inject, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import readme from '../../README.md?raw';
import * as dom from '../../src/dom/index.js';
import { MemoryStorage, type VarStreamDocument } from '../../src/index.js';
import { until } from '../helpers/wait.js';

// The README's browser quick start, as written, in Chromium: the one change
// is its URL (the test server's, on 127.0.0.1) and its import, given to it.
const AsyncFunction = (async () => {}).constructor as new (
  ...params: string[]
) => (...args: unknown[]) => Promise<unknown>;

/** The first ```ts block under `### Browser`. */
function browserExample(): string {
  const section = readme.slice(readme.indexOf('### Browser'));
  const match = /```ts\n([\s\S]*?)\n```/.exec(section);
  if (match === null) throw new Error('no browser example in the README');
  return match[1]!;
}

const connect = (url: string) => dom.connect(url, { storage: new MemoryStorage() });

afterEach(() => {
  document.body.replaceChildren();
  delete document.body.dataset.status;
});

describe('client README, browser quick start', () => {
  it('binds a form that syncs to the server', async () => {
    const url = `${inject('serverUrl')}readme-${crypto.randomUUID()}`;
    const example = browserExample();
    const importLine = "import { bindForm, connect } from '@varstream/client/dom';";
    const address = "'wss://example.com/team/signup'";
    expect(example).toContain(importLine);
    expect(example).toContain(address);
    const code = `${example
      .replace(importLine, 'const { bindForm, connect } = dom;')
      .replace(address, JSON.stringify(url))}\nreturn doc;`;
    document.body.innerHTML = '<form><input name="firstname" id="firstname"></form>';
    const doc = (await new AsyncFunction('dom', code)(dom)) as VarStreamDocument;
    const other = connect(url);
    try {
      await until(() => document.body.dataset.status === 'open', 'status open', 15_000);
      await userEvent.type(document.getElementById('firstname')!, 'Ada');
      await until(
        () => other.get('form.firstname') === 'Ada',
        'the name in another client',
        15_000,
      );
      expect(other.get('form.firstname')).toBe('Ada');
    } finally {
      doc.close();
      other.close();
    }
  });
});

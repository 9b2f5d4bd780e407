import { type Path, PathContext } from '@varstream/varstream';
import { describe, expect, it } from 'vitest';
import { type ResolvedIdentity, WRITE_ALL } from '../src/auth/identity.js';
import { Change, type ChangeAuthor, type ChangeHead } from '../src/change/change.js';
import { ImpliedIds } from '../src/change/implied-ids.js';
import { HostedDocument } from '../src/document/hosted-document.js';
import type { Member } from '../src/document/member.js';
import { TokenBucket } from '../src/limits/token-bucket.js';
import { ServerMetrics } from '../src/metrics/metrics.js';
import { codecLimits } from '../src/options/codec-limits.js';
import { defaultUnsafeKeys, serverDefaults } from '../src/options/defaults.js';
import { readStatements } from '../src/reading/statement-reader.js';

const logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A member that records the lines it is sent. */
class Recorder implements Member {
  readonly id = 'c1';
  readonly compact = false;
  readonly splices = false;
  readonly lines: string[] = [];
  send(frame: Buffer | string): void {
    this.lines.push(...frame.toString().split('\n').filter(Boolean));
  }
  sendWelcome(): void {}
  close(): void {}
}

function setup(root: unknown, identity: ResolvedIdentity = WRITE_ALL, tokens = 1e9) {
  const metrics = new ServerMetrics({ connections: () => 0, documents: () => 1 });
  const doc = new HostedDocument(
    'default',
    { epoch: 'e', root, rev: 0, revisions: [], applied: [] },
    {
      limits: serverDefaults,
      unsafeKeys: new Set(defaultUnsafeKeys),
      metrics,
      logger,
      onRevision() {},
      onFailed() {},
    },
    undefined,
  );
  const member = new Recorder();
  const author: ChangeAuthor = {
    doc,
    identity,
    context: new PathContext(),
    unsafeKeys: new Set(defaultUnsafeKeys),
    connection: {
      member,
      bucket: new TokenBucket(1, tokens),
      maxChangesPerSecond: 1,
      metrics,
      ids: new ImpliedIds(undefined),
    },
  };
  /** Sends `text` as one change, read with the author's `^` context as the frame handler does. */
  const send = (text: string, head: ChangeHead = {}) => {
    const change = new Change(author, head);
    for (const statement of readStatements(text, codecLimits(serverDefaults), author.context)) {
      change.add(statement);
    }
    return change.end();
  };
  const replies = async () => {
    await doc.whenIdle();
    return member.lines.filter((line) => !line.startsWith('#vs change'));
  };
  return { doc, author, send, replies };
}

const scoped = (...scope: Path[]): ResolvedIdentity => ({
  access: 'write',
  scope,
  user: undefined,
});

describe('Change: one change from its head to its outcome', () => {
  it('commits what it applied as one revision; its author hears nothing more (the revision is its ack)', async () => {
    const { doc, send, replies } = setup({});
    const outcome = send('a.b=1\n^.c=2\n', { id: 'w:1' });
    expect(outcome.kind).toBe('accepted');
    expect(doc.tree.root).toEqual({ a: { b: 1, c: 2 } });
    expect(doc.rev).toBe(1);
    expect(await replies()).toEqual([]);
  });

  it('refuses a write outside its scope, parents included: nothing applied, the author told where', async () => {
    const { doc, send, replies } = setup({ form: 'hello' }, scoped(['notes'], ['form', 'sub']));
    expect(send('notes.a=1\nother=1\n', { id: 'w:1' })).toMatchObject({
      kind: 'refused',
      problem: { code: 'FORBIDDEN', line: 2 },
    });
    // form is a string: writing form.sub.x would replace it, above the scope.
    expect(send('notes.a=1\nform.sub.x=1\n', { id: 'w:2' })).toMatchObject({
      kind: 'refused',
      problem: { code: 'FORBIDDEN', line: 2 },
    });
    expect(doc.tree.root).toEqual({ form: 'hello' });
    expect(doc.rev).toBe(0);
    const lines = await replies();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^#vs reject id=w:1 code=FORBIDDEN line=2 column=1 message=/);
  });

  it('refuses unsafe keys in paths and in references, rolled back', () => {
    const { doc, send } = setup({ safe: { x: 1 } });
    for (const text of ['ok=1\nsafe.__proto__.p=1\n', 'ok=1\nalias&=constructor.prototype\n']) {
      expect(send(text)).toMatchObject({
        kind: 'refused',
        problem: { code: 'UNSAFE_KEY', line: 2 },
      });
    }
    expect(doc.tree.root).toEqual({ safe: { x: 1 } });
  });

  it('puts the `^` context back when it is refused, even after the statements it ignored', () => {
    const { author, send } = setup({});
    send('a.b=1\n');
    expect(author.context.previous).toEqual(['a', 'b']);
    send('x.y=1\n__proto__.z=1\n^.w=2\n', { id: 'w:1' });
    expect(author.context.previous).toEqual(['a', 'b']);
    send('^.c=3\n');
    expect(author.context.previous).toEqual(['a', 'c']);
  });

  it('acknowledges a duplicate id and an empty change without making a revision', async () => {
    const { doc, send, replies } = setup({});
    send('a=1\n', { id: 'w:1' });
    expect(send('a=2\n', { id: 'w:1' })).toEqual({ kind: 'duplicate', rev: 1 });
    expect(send('', { id: 'w:2' })).toEqual({ kind: 'empty', rev: 1 });
    expect(send('')).toEqual({ kind: 'empty', rev: 1 });
    expect(doc.tree.root).toEqual({ a: 1 });
    expect(doc.rev).toBe(1);
    expect(await replies()).toEqual([
      '#vs ack id=w:1 rev=1 duplicate=1',
      '#vs ack id=w:2 rev=1 empty=1',
    ]);
  });

  it('checks its head in order: base, id, rate, access (a read-only author takes a token too)', () => {
    const readOnly: ResolvedIdentity = { access: 'read', scope: undefined, user: undefined };
    const { send } = setup({}, readOnly, 1);
    expect(send('a=1\n', { id: 'w:1', base: '5' })).toMatchObject({
      problem: { code: 'BAD_META' },
    });
    expect(send('a=1\n', { id: 'w' })).toMatchObject({ problem: { code: 'BAD_META' } });
    expect(send('a=1\n', { id: 'w:1' })).toMatchObject({ problem: { code: 'FORBIDDEN' } });
    expect(send('a=1\n', { id: 'w:2' })).toMatchObject({ problem: { code: 'RATE_LIMITED' } });
  });

  it('rejects at commit what would make the document too large, context put back', async () => {
    const { doc, author, send, replies } = setup({});
    send('a.b=1\n');
    // Five strings of 1.8 MB: each within maxStringLength, 9 MB together.
    const big = Array.from({ length: 5 }, (_, i) => `k${i}=${'x'.repeat(1_800_000)}\n`).join('');
    const outcome = send(big, { id: 'w:1' });
    expect(outcome).toMatchObject({ kind: 'rejected', problem: { code: 'DOC_TOO_LARGE' } });
    expect(author.context.previous).toEqual(['a', 'b']);
    expect(doc.tree.root).toEqual({ a: { b: 1 } });
    expect((await replies())[0]).toMatch(/^#vs reject id=w:1 code=DOC_TOO_LARGE /);
  });

  it('without atomic: skips the statements that fail and commits the others', () => {
    const { doc, author } = setup({});
    const change = new Change({ ...author, connection: undefined }, { atomic: false });
    const problems = readStatements('a=1\n__proto__.x=1\nb=2\n', codecLimits(serverDefaults)).map(
      (statement) => change.add(statement)?.code,
    );
    expect(problems).toEqual([undefined, 'UNSAFE_KEY', undefined]);
    expect(change.end().kind).toBe('accepted');
    expect(doc.tree.root).toEqual({ a: 1, b: 2 });
  });
});

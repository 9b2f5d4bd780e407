import { PathContext } from '@varstream/varstream';
import { describe, expect, it, vi } from 'vitest';
import { WRITE_ALL } from '../src/auth/identity.js';
import { FrameHandler } from '../src/connection/frame-handler.js';
import { HostedDocument } from '../src/document/hosted-document.js';
import type { Member } from '../src/document/member.js';
import { TokenBucket } from '../src/limits/token-bucket.js';
import { ServerMetrics } from '../src/metrics/metrics.js';
import { defaultUnsafeKeys, serverDefaults } from '../src/options/defaults.js';

const limits = { ...serverDefaults, maxChangesPerSecond: 1e9, changeBurst: 1e9 };
const logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A member that records its frames; each send may cost `sendMs` of busy CPU (a slow write). */
class StubMember implements Member {
  readonly compact = false;
  readonly frames: string[] = [];
  readonly splices = false;
  constructor(
    readonly id: string,
    readonly sendMs = 0,
  ) {}
  send(frame: Buffer | string): void {
    const until = performance.now() + this.sendMs;
    while (performance.now() < until) {
      // a costly write
    }
    this.frames.push(frame.toString());
  }
  sendWelcome(): void {}
  close(): void {}
  revs(): number[] {
    return [...this.frames.join('').matchAll(/^#vs change rev=(\d+)/gm)].map((m) => Number(m[1]));
  }
}

function setup(sendMs: number) {
  const metrics = new ServerMetrics({ connections: () => 0, documents: () => 1 });
  const doc = new HostedDocument(
    'default',
    { epoch: 'e', root: {}, rev: 0, revisions: [], applied: [] },
    {
      limits,
      unsafeKeys: new Set(defaultUnsafeKeys),
      metrics,
      logger,
      onRevision() {},
      onFailed() {},
    },
    undefined,
  );
  const members = [new StubMember('c1', sendMs), new StubMember('c2', sendMs)];
  for (const member of members) doc.join(member, { resumeRev: undefined, version: 1, fields: {} });
  const handler = new FrameHandler({
    member: members[0]!,
    doc,
    identity: WRITE_ALL,
    context: new PathContext(),
    limits,
    unsafeKeys: new Set(defaultUnsafeKeys),
    bucket: new TokenBucket(1e9, 1e9),
    metrics,
    client: undefined,
    onFlood() {},
  });
  let seq = 0;
  const change = () => handler.handle(Buffer.from(`#vs change id=w:${++seq}\nv=${seq}\n`));
  return { doc, members, change };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('flush pacing', () => {
  it('cheap flushes follow each event-loop turn: one frame per turn', async () => {
    // The pacing clock stands still, so every flush costs nothing whatever
    // else the machine is doing (a stall would otherwise look like a costly
    // flush and, rightly, be paced).
    vi.useFakeTimers({ toFake: ['performance'] });
    const { doc, members, change } = setup(0);
    try {
      for (let i = 0; i < 5; i++) {
        change();
        await turn();
        await turn();
      }
      await doc.whenIdle();
    } finally {
      vi.useRealTimers();
    }
    expect(members[1]!.frames).toHaveLength(5);
    expect(members[1]!.revs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('after a costly flush the next one waits and gathers several turns, in order', async () => {
    // Two members at 2 ms a write: a flush takes about 4 ms, the next one waits as long.
    const { doc, members, change } = setup(2);
    change();
    await doc.whenIdle();
    for (let i = 0; i < 5; i++) {
      change();
      await turn();
    }
    await doc.whenIdle();
    for (const member of members) {
      expect(member.revs()).toEqual([1, 2, 3, 4, 5, 6]);
      expect(member.frames.length).toBeLessThan(6);
    }
  });

  it('closing during the wait sends everything at once', async () => {
    const { doc, members, change } = setup(2);
    change();
    await doc.whenIdle();
    change();
    change();
    // The paced flush's timer is pending; close() delivers before it returns
    // control, not when the timer fires.
    const closing = doc.close();
    for (const member of members) expect(member.revs()).toEqual([1, 2, 3]);
    await closing;
  });
});

import { type Statement, stringify } from '@varstream/varstream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeBody } from '../../src/changes/change-frame.js';
import { parseChange } from '../../src/changes/parse-change.js';
import type { PendingChange } from '../../src/pending/pending-change.js';
import { Replica } from '../../src/view/replica.js';
import { incoming, Sequencer } from '../helpers/sequencer.js';

let seq = 0;
function change(text: string, client = 'me'): PendingChange {
  const statements = parseChange(text);
  seq++;
  return {
    id: `${client}:${seq}`,
    statements,
    body: changeBody(statements),
    base: -1,
    epoch: undefined,
    sent: false,
    outgone: false,
    retries: 0,
    touched: [],
    skipped: false,
  };
}

function started(text = ''): Replica {
  const r = new Replica();
  r.receive(incoming(`#vs snapshot rev=10\n${text}`));
  return r;
}

describe('replica: confirmed tree + pending changes', () => {
  // Regression (issue 9, item 2): deletes leave gaps wider than the codec's default maxArrayGap.
  it('reads a sparse array with a gap wider than the default gap limit', () => {
    const r = started('list.0=a\nlist.500000=b\n');
    expect((r.root as { list: unknown[] }).list.length).toBe(500_001);
    const result = r.receive(incoming('#vs change rev=11 conn=c2\nlist.900000=c\n'));
    expect(result.resync).toBe(false);
    expect((r.root as { list: unknown[] }).list[900_000]).toBe('c');
  });

  it('shows a local change at once and keeps it pending', () => {
    const r = started('form.name=Al\n');
    r.addLocal(change('form.name+=ice\n'));
    expect(r.root).toEqual({ form: { name: 'Alice' } });
    expect(r.pending).toHaveLength(1);
    expect(r.rev).toBe(10);
  });

  it('drops a pending change when its echo arrives, without touching the view', () => {
    const r = started();
    const c = change('a=1\n');
    r.addLocal(c);
    const result = r.receive(incoming(`#vs change rev=11 conn=c1 id=${c.id}\na=1\n`));
    expect(result.acked).toEqual([c]);
    expect(result.touched).toEqual([]);
    expect(r.pending).toHaveLength(0);
    expect(r.rev).toBe(11);
    expect(r.root).toEqual({ a: 1 });
  });

  it('rebases pending changes over a remote change (appends both survive)', () => {
    const r = started('text=Hello\n');
    const mine = change('text+= world\n');
    r.addLocal(mine);
    const result = r.receive(incoming('#vs change rev=11 conn=c2\ntext+=!\n'));
    expect(r.root).toEqual({ text: 'Hello! world' });
    expect(result.touched.length).toBeGreaterThan(0);
    r.receive(incoming(`#vs change rev=12 conn=c1 id=${mine.id}\ntext+= world\n`));
    expect(r.root).toEqual({ text: 'Hello! world' });
    expect(r.pending).toHaveLength(0);
  });

  it('keeps later pending changes when the oldest is acknowledged', () => {
    const r = started();
    const a = change('list.+=a\n');
    const b = change('list.+=b\n');
    r.addLocal(a);
    r.addLocal(b);
    r.receive(incoming(`#vs change rev=11 conn=c1 id=${a.id}\nlist.0=a\n`));
    expect(r.pending.map((c) => c.id)).toEqual([b.id]);
    expect(r.root).toEqual({ list: ['a', 'b'] });
  });

  it('reverts a rejected change, keeping the others', () => {
    const r = started('n=1\n');
    const bad = change('n+=1\nflag=true\n');
    const good = change('m=2\n');
    r.addLocal(bad);
    r.addLocal(good);
    expect(r.root).toEqual({ n: 2, flag: true, m: 2 });
    const result = r.receive(incoming(`#vs reject id=${bad.id} code=FORBIDDEN message=no\n`));
    expect(result.rejected).toEqual([bad]);
    expect(r.root).toEqual({ n: 1, m: 2 });
  });

  it('skips in the view a pending change that no longer applies, atomically', () => {
    const r = started('x=text\n');
    const c = change('y=1\nx-=1\n');
    expect(() => r.addLocal(c)).toThrow(expect.objectContaining({ code: 'TYPE_MISMATCH' }));
    expect(r.root).toEqual({ x: 'text' });
    const ok = change('y=1\nx+=1\n');
    r.addLocal(ok);
    // A remote change makes x a boolean: the pending change cannot apply any more.
    r.receive(incoming('#vs change rev=11 conn=c2\nx=true\n'));
    expect(r.root).toEqual({ x: true });
    expect(ok.skipped).toBe(true);
    r.receive(incoming(`#vs reject id=${ok.id} code=TYPE_MISMATCH message=no\n`));
    expect(r.pending).toHaveLength(0);
  });

  it('replaces the confirmed tree on a snapshot and re-applies pending changes on top', () => {
    const r = started('a=1\n');
    r.addLocal(change('b+=1\n'));
    r.receive(incoming('#vs snapshot rev=50\nz=9\nb=5\n'));
    expect(r.root).toEqual({ z: 9, b: 6 });
    expect(r.rev).toBe(50);
  });

  it('asks for a resync on a revision gap and ignores revisions it holds', () => {
    const r = started();
    expect(r.receive(incoming('#vs change rev=10 conn=c2\na=1\n')).resync).toBe(false);
    expect(r.root).toBeUndefined();
    expect(r.receive(incoming('#vs change rev=12 conn=c2\na=1\n')).resync).toBe(true);
    expect(r.rev).toBe(-1);
  });

  it('restores stored changes before the first snapshot', () => {
    const r = new Replica();
    r.restore([change('a.+=1\n')]);
    expect(r.root).toEqual({ a: [1] });
    r.receive(incoming('#vs snapshot rev=3\na.0=0\n'));
    expect(r.root).toEqual({ a: [0, 1] });
  });
});

// --- property: replicas converge to the sequencer's tree -------------------------

const key = fc.constantFrom('a', 'b', 'c');
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom('x', '12', ''),
  fc.boolean(),
);
const op = fc.oneof(
  fc.tuple(key, scalar).map(([k, v]) => `${k}=${JSON.stringify(v)}\n`),
  key.map((k) => `${k}=\n`),
  fc.tuple(key, fc.constantFrom('"1"', '1', 'z')).map(([k, v]) => `${k}+=${v}\n`),
  fc.tuple(key, fc.integer({ min: 1, max: 3 })).map(([k, v]) => `${k}*=${v}\n`),
  scalar.map((v) => `l.+=${JSON.stringify(v)}\n`),
  scalar.map((v) => `l.!=${JSON.stringify(v)}\n`),
  fc.constant('l.+={}\nl.*.n=1\n'),
  fc.constant('l.*.n+=1\n'),
  fc.tuple(key, key).map(([k, r]) => `o.${k}&=${r}\n`),
  fc.tuple(key, scalar).map(([k, v]) => `o.${k}=${JSON.stringify(v)}\n`),
);
const step = fc.oneof(
  fc.record({ kind: fc.constant('local' as const), client: fc.nat(2), text: op }),
  fc.record({ kind: fc.constant('upload' as const), client: fc.nat(2) }),
  fc.record({ kind: fc.constant('deliver' as const), client: fc.nat(2) }),
  fc.record({ kind: fc.constant('foreign' as const), text: op }),
);

describe('replica: convergence property', () => {
  it('every replica ends equal to the sequencer, no change lost or doubled', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const server = new Sequencer();
        const clients = [0, 1, 2].map(() => ({
          r: started(),
          up: [] as PendingChange[],
          down: [] as string[],
        }));
        server.rev = 10;
        const all: Map<string, PendingChange> = new Map();
        const applied = new Set<string>();
        const broadcast = (text: string) => {
          for (const c of clients) c.down.push(text);
        };
        const upload = (i: number) => {
          const c = clients[i]!;
          const ch = c.up.shift();
          if (ch === undefined) return;
          const section = server.accept(ch.id, ch.statements as Statement[]);
          if (section === undefined) c.down.push(`#vs reject id=${ch.id} code=X\n`);
          else {
            expect(applied.has(ch.id)).toBe(false);
            applied.add(ch.id);
            broadcast(section);
          }
        };
        for (const s of steps) {
          if (s.kind === 'local') {
            const c = clients[s.client]!;
            const ch = change(s.text, `c${s.client}`);
            try {
              c.r.addLocal(ch);
            } catch {
              continue; // refused locally: never sent
            }
            all.set(ch.id, ch);
            c.up.push(ch);
          } else if (s.kind === 'upload') upload(s.client);
          else if (s.kind === 'deliver') {
            const c = clients[s.client]!;
            const text = c.down.shift();
            if (text !== undefined) c.r.receive(incoming(text));
          } else {
            const section = server.accept(undefined, parseChange(s.text));
            if (section !== undefined) broadcast(section);
          }
        }
        // Quiescence: upload everything, deliver everything.
        for (let i = 0; i < 3; i++) while (clients[i]!.up.length > 0) upload(i);
        for (const c of clients) {
          // Deliver in batches of random-ish sizes to exercise both paths.
          while (c.down.length > 0) c.r.receive(incoming(c.down.splice(0, 2).join('')));
          expect(c.r.pending).toEqual([]);
          expect(stringify(c.r.root ?? {})).toBe(stringify(server.tree.root ?? {}));
          expect(c.r.rev).toBe(server.rev);
        }
      }),
      { numRuns: 300 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROPERTY_LIMIT_MS,
  PROPERTY_TEST_MS,
  untilQuiescent,
  watchReplica,
} from '../helpers/quiescence.js';
import { client, startServer } from '../helpers/real-server.js';

/**
 * Several clients make random concurrent changes against the real server,
 * with random disconnects (sockets cut, changes made offline, changes cut
 * mid-flight). After quiescence every replica equals the server's tree, and
 * the `count`/`log` ledgers show every accepted change applied exactly once.
 */
const CLIENTS = 3;
const key = fc.constantFrom('a', 'b', 'c');
const scalar = fc.oneof(
  fc.integer({ min: -9, max: 9 }),
  fc.constantFrom('x', '12', '', 'true', 'a b'),
  fc.boolean(),
  fc.constant(null),
);

type Op =
  | { kind: 'set'; key: string; value: unknown }
  | { kind: 'setObject'; key: string; value: unknown }
  | { kind: 'delete'; key: string }
  | { kind: 'append'; key: string; value: string | number }
  | { kind: 'push'; value: unknown }
  | { kind: 'reset'; value: unknown }
  | { kind: 'ref'; key: string; target: string }
  | { kind: 'ledger' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), key, value: scalar }),
  fc.record({
    kind: fc.constant('setObject' as const),
    key,
    value: fc.dictionary(key, scalar, { maxKeys: 2 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), key }),
  fc.record({
    kind: fc.constant('append' as const),
    key,
    value: fc.oneof(fc.constantFrom('y', '7'), fc.integer({ min: 1, max: 3 })),
  }),
  fc.record({ kind: fc.constant('push' as const), value: scalar }),
  fc.record({ kind: fc.constant('reset' as const), value: scalar }),
  fc.record({ kind: fc.constant('ref' as const), key, target: key }),
  fc.constant({ kind: 'ledger' as const }),
);

const step = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('op' as const), client: fc.nat(CLIENTS - 1), op }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('kill' as const), client: fc.nat(CLIENTS - 1) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(0, 1, 5) }),
  },
);

describe('convergence against the real server', () => {
  it('replicas equal the server after random concurrent changes and disconnects', {
    timeout: PROPERTY_TEST_MS,
  }, async () => {
    let token = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 60 }), async (steps) => {
        const server = await startServer();
        const docs = Array.from({ length: CLIENTS }, () => watchReplica(client(server)));
        try {
          await Promise.all(docs.map((d) => d.whenSynced()));
          const ledger: string[] = [];
          for (const s of steps) {
            if (s.kind === 'tick') {
              await new Promise((resolve) => setTimeout(resolve, s.ms));
              continue;
            }
            const doc = docs[s.client]!;
            if (s.kind === 'kill') {
              doc.kill();
              continue;
            }
            const o = s.op;
            try {
              switch (o.kind) {
                case 'set':
                  doc.set(['v', o.key], o.value);
                  break;
                case 'setObject':
                  doc.set(['v', o.key], o.value);
                  break;
                case 'delete':
                  doc.delete(['v', o.key]);
                  break;
                case 'append':
                  doc.apply('+=', ['v', o.key], o.value);
                  break;
                case 'push':
                  doc.push('v.l', o.value);
                  break;
                case 'reset':
                  doc.reset('v.l', o.value);
                  break;
                case 'ref':
                  doc.apply('&=', ['v', 'r', o.key], ['v', o.target]);
                  break;
                case 'ledger': {
                  const t = `t${++token}`;
                  // One change, two statements: applied atomically, exactly once.
                  doc.applyText(`count+=1\nlog.+=${t}\n`);
                  ledger.push(t);
                  break;
                }
              }
            } catch (err) {
              // Refused by the local view (type mismatch, nothing to refer to): never sent.
              expect((err as { code?: string }).code).toMatch(
                /TYPE_MISMATCH|REF_NOT_FOUND|NO_LAST/,
              );
            }
          }
          await untilQuiescent(server, 'doc', docs, () => `steps: ${JSON.stringify(steps)}`);
          const root = server.document('doc')?.root as
            | { count?: number; log?: string[] }
            | undefined;
          for (const d of docs) expect(d.get('')).toEqual(root);
          expect(root?.count ?? 0).toBe(ledger.length);
          expect([...(root?.log ?? [])].sort()).toEqual([...ledger].sort());
        } finally {
          for (const d of docs) d.close();
          await server.close();
        }
      }),
      { numRuns: 40, plugins: [fc.interruptAfterTimeLimit(PROPERTY_LIMIT_MS)] },
    );
  });
});

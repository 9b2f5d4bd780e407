import type { VarStreamServer } from '@varstream/server';
import type { VarStreamDocument } from '../../src/index.js';
import { until } from './wait.js';

/**
 * How long a property run waits for its replicas to settle. A hang
 * detector, not a speed check: a run settles in well under a second, tens
 * of times that on a loaded machine.
 */
export const QUIESCENCE_MS = 20_000;

/** True when `replica` is open, has nothing pending and holds revision `rev`. */
function settled(replica: VarStreamDocument, rev: number): boolean {
  return replica.status === 'open' && replica.pending === 0 && replica.rev === rev;
}

/**
 * The state of the server's document and of every replica, each replica
 * marked when it is not settled: what a quiescence timeout reports.
 */
export function describeReplicas(
  server: VarStreamServer,
  doc: string,
  replicas: readonly VarStreamDocument[],
): string {
  const hosted = server.document(doc);
  const rev = hosted?.rev ?? 0;
  const lines = replicas.map(
    (r, i) =>
      `  replica ${i} (client ${r.clientId}, conn ${r.conn ?? '-'}): status=${r.status} pending=${r.pending} rev=${r.rev}${settled(r, rev) ? '' : '  <- not settled'}`,
  );
  return [`server: ${doc} rev=${rev} members=${hosted?.members ?? 0}`, ...lines].join('\n');
}

/**
 * Resolves once every replica of `doc` is open, has nothing pending and
 * holds the server's revision; after `timeoutMs` fails with every replica's
 * state (`describeReplicas`) and `context()` (the run's steps).
 */
export async function untilQuiescent(
  server: VarStreamServer,
  doc: string,
  replicas: readonly VarStreamDocument[],
  context: () => string = () => '',
  timeoutMs = QUIESCENCE_MS,
): Promise<void> {
  await until(
    () => {
      const rev = server.document(doc)?.rev ?? 0;
      return replicas.every((r) => settled(r, rev));
    },
    () => `quiescence\n${describeReplicas(server, doc, replicas)}\n${context()}`,
    timeoutMs,
  );
}

import type { VarStreamServer } from '@varstream/server';
import type { VarStreamDocument } from '../../src/index.js';
import { until } from './wait.js';

/**
 * How long a property run waits for its replicas to settle. A hang
 * detector, not a speed check: a run settles in well under a second, tens
 * of times that on a loaded machine.
 */
export const QUIESCENCE_MS = 20_000;

/**
 * A property that waits for quiescence stops after this long, reporting the
 * failing case found so far (its seed, path and the replicas' state): a
 * hang costs `QUIESCENCE_MS` for every failing case shrinking tries, and the
 * test's timeout (`PROPERTY_TEST_MS`) must not cut the report short.
 */
export const PROPERTY_LIMIT_MS = 90_000;

/** The timeout of a test running such a property: above `PROPERTY_LIMIT_MS` and one more wait. */
export const PROPERTY_TEST_MS = PROPERTY_LIMIT_MS + 2 * QUIESCENCE_MS;

/** The last events of each watched replica, oldest first (see `watchReplica`). */
const histories = new WeakMap<VarStreamDocument, string[]>();
/** Events a watched replica keeps for the report. */
const KEPT_EVENTS = 12;

/**
 * Records what `replica` goes through (status changes, rejections, errors,
 * with the time since it was watched), for a quiescence timeout to report:
 * a reconnection loop or a change refused again and again shows there.
 */
export function watchReplica<D extends VarStreamDocument>(replica: D): D {
  const events: string[] = [];
  histories.set(replica, events);
  const start = Date.now();
  const note = (text: string) => {
    events.push(`+${Date.now() - start} ms ${text}`);
    if (events.length > KEPT_EVENTS) events.shift();
  };
  replica.on('status', (status) => note(`status ${status}`));
  replica.on('reject', (r) => note(`reject ${r.id} ${r.code}: ${r.message}`));
  replica.on('error', (e) => note(`error ${e.code}: ${e.message}`));
  return replica;
}

/** True when `replica` is open, has nothing pending and holds revision `rev`. */
function settled(replica: VarStreamDocument, rev: number): boolean {
  return replica.status === 'open' && replica.pending === 0 && replica.rev === rev;
}

/**
 * The state of the server's document and of every replica, each replica
 * marked when it is not settled, with its last events when it is watched:
 * what a quiescence timeout reports.
 */
export function describeReplicas(
  server: VarStreamServer,
  doc: string,
  replicas: readonly VarStreamDocument[],
): string {
  const hosted = server.document(doc);
  const rev = hosted?.rev ?? 0;
  const lines = replicas.map((r, i) => {
    const state = `  replica ${i} (client ${r.clientId}, conn ${r.conn ?? '-'}): status=${r.status} pending=${r.pending} rev=${r.rev}${settled(r, rev) ? '' : '  <- not settled'}`;
    const events = histories.get(r);
    return events === undefined || events.length === 0
      ? state
      : `${state}\n    last events: ${events.join('; ')}`;
  });
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

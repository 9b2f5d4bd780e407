// `pnpm bench:sync`: throughput, latency, CPU and memory of @varstream/server
// on loopback, against a plain `ws` relay measured in the same run.
//
// A benchmark, not a test: it prints tables and exits 0 however slow the
// machine is (non-zero only when it could not run at all, or when the
// correctness check finds a difference).
//
// Every scenario starts a fresh server process (bench/server.mjs: ours, or
// the relay) and a fresh load generator process (bench/load.mjs), warms up,
// measures for a fixed time, drains, and stops by itself. Server CPU and RSS
// come from /proc/<pid>; the machine's other load from /proc/stat.
//
// Options (`pnpm bench:sync --quick`, `node bench/sync.mjs --quick`):
//   --quick                  3 s measured, 1 s warm-up (default 10 s and 2 s)
//   --duration <s>           measured seconds per scenario
//   --warmup <s>             warm-up seconds per scenario
//   --clients 10,100,500     clients per scenario
//   --writers 1,10           writers (among the clients)
//   --rates 1000,5000,flat   changes/s in total; `flat`: flat-out
//   --window 64              flat-out: unacknowledged changes per writer
//   --redis-fsync always     appendfsync of the Redis scenarios (everysec, no)
//   --servers ours,relay     which servers: ours, ours-v1 (ours, the clients
//                            speaking protocol version 1: full section
//                            heads, the baseline of the compact ones),
//                            ours-semi2 (ours with
//                            --max-semi-space-size=2, as NODE_OPTIONS would
//                            give it), relay, and on Redis (a redis-server of
//                            the run's own, appendonly yes, appendfsync
//                            always): redis1 (one node), redis2 (two nodes,
//                            clients spread over them), workers2 (--workers 2:
//                            two processes on one port); default ours,
//                            ours-v1 and relay, plus ours-semi2 at 500 clients and more,
//                            plus the Redis servers at 100 clients x 10
//                            writers (1 000/s and flat-out)
//   --dist <dir>             the @varstream/server build to measure (default ../dist)
//   --server-node-options="<flags>"   node flags of the server process (ours)
//   --nice=<n>               run the server and the generator at this priority
//                            (e.g. -10, as root) when other work shares the machine
//   --edits small,resend,splice   text edits, flat-out, on ours: a one-character
//                            edit inside each writer's 2 KB message per change, sent
//                            as a splice (~=), as the whole message (=), or the
//                            baseline: a one-character = (default all three; none)
//   --edit-clients 100       clients of the text-edit scenarios (writers: --edit-writers, 10)
//   --no-verify              skip the correctness check
//   --json <file>            also write the raw results
//   --report <file>          print the tables of results written by --json
import { execFileSync, fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, redisServerArgs } from '../../../scripts/lib/test-redis.mjs';
import { measureJoin } from './join.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    clients: { type: 'string' },
    writers: { type: 'string' },
    rates: { type: 'string' },
    window: { type: 'string' },
    servers: { type: 'string' },
    dist: { type: 'string' },
    'server-node-options': { type: 'string' },
    'no-verify': { type: 'boolean' },
    nice: { type: 'string' },
    json: { type: 'string' },
    report: { type: 'string' },
    'redis-fsync': { type: 'string' },
    edits: { type: 'string' },
    'edit-clients': { type: 'string' },
    'edit-writers': { type: 'string' },
  },
  allowPositionals: false,
});

const list = (text, fallback) => (text ?? fallback).split(',').map((s) => s.trim());
const durationMs = 1000 * Number(args.duration ?? (args.quick ? 3 : 10));
const warmupMs = 1000 * Number(args.warmup ?? (args.quick ? 1 : 2));
const clientCounts = list(args.clients, '10,100,500').map(Number);
const writerCounts = list(args.writers, '1,10').map(Number);
const rates = list(args.rates, '1000,5000,flat').map((r) => (r === 'flat' ? 0 : Number(r)));
const windowSize = Number(args.window ?? 64);
const servers = list(args.servers, 'ours,ours-v1,ours-semi2,relay,redis1,redis2,workers2');
/** Servers on Redis: nodes (processes started) and workers per node. */
const REDIS_KINDS = {
  redis1: { nodes: 1, workers: 1 },
  redis2: { nodes: 2, workers: 1 },
  workers2: { nodes: 1, workers: 2 },
};
/**
 * ours-semi2 only where memory is the question, the Redis servers only at
 * 100 clients x 10 writers (1 000/s and flat-out), unless asked for.
 */
const wants = (server, clients, writers, rate) =>
  servers.includes(server) &&
  (server !== 'ours-semi2' || args.servers !== undefined || clients >= 500) &&
  (REDIS_KINDS[server] === undefined ||
    args.servers !== undefined ||
    (clients === 100 && writers === 10 && (rate === 1000 || rate === 0)));
const SEMI2 = ['--max-semi-space-size=2'];
const serverNodeOptions = (args['server-node-options'] ?? '').split(/\s+/).filter(Boolean);
const DRAIN_MS = 3_000;
/** Redis's appendfsync in the Redis scenarios: always (the README's advice), everysec or no. */
const redisFsync = args['redis-fsync'] ?? 'always';
const niceness = args.nice === undefined ? undefined : Number(args.nice);
/** `nice -n <n> node ...`: every thread of the process (GC, libuv) gets the priority. */
const nodeCommand =
  niceness === undefined
    ? { file: process.execPath, prefix: [] }
    : { file: 'nice', prefix: ['-n', String(niceness), process.execPath] };
/**
 * With `--nice`, each child is also a session of its own (`detached`) whose
 * autogroup gets the priority: with autogroups (most Linux desktops and
 * VMs), CPU is shared between sessions first, and a nice value alone does
 * nothing against another session's load.
 */
function prioritize(child) {
  if (niceness === undefined) return;
  try {
    writeFileSync(`/proc/${child.pid}/autogroup`, String(niceness));
  } catch {
    // No autogroups: `nice` is enough.
  }
}

// --- /proc ---------------------------------------------------------------------------

let clockTicks = 100;
try {
  clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {}

/** CPU seconds (user + system) of a process. */
function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** VmRSS and VmHWM (peak) of a process, in MB. */
function processMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: Number.NaN, peak: Number.NaN };
  }
}

/** Busy and total CPU seconds of the machine. */
function machineCpu() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: (total - f[3] - f[4]) / clockTicks, total: total / clockTicks };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

// --- processes ---------------------------------------------------------------------------

const children = new Set();
function cleanup() {
  for (const child of children) child.kill('SIGKILL');
}
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanup();
    process.exit(130);
  });
}

function startServer(kind, extra = []) {
  const argv = [
    ...(kind === 'ours' || kind === 'ours-v1'
      ? serverNodeOptions
      : kind === 'ours-semi2'
        ? SEMI2
        : []),
    join(here, 'server.mjs'),
    kind === 'relay' ? 'relay' : 'ours',
    ...(args.dist === undefined ? [] : ['--dist', args.dist]),
    ...extra,
  ];
  const child = spawn(nodeCommand.file, [...nodeCommand.prefix, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: niceness !== undefined,
  });
  children.add(child);
  prioritize(child);
  const state = { child, warnings: 0, slow: 0, stderr: '' };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    state.stderr += chunk;
    state.warnings += (chunk.match(/\n/g) ?? []).length;
    state.slow += (chunk.match(/slow consumer/g) ?? []).length;
    if (state.stderr.length > 20_000) state.stderr = state.stderr.slice(-10_000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const mem = /MEM (\{.*\})\n/.exec(out);
      if (mem !== null) {
        state.onMemory?.(JSON.parse(mem[1]));
        out = out.slice(mem.index + mem[0].length);
      }
      const pids = /PIDS ([\d,]+)\n/.exec(out);
      if (pids !== null && state.pids === undefined) state.pids = pids[1].split(',').map(Number);
      const m = /PORT (\d+)/.exec(out);
      if (m !== null && state.port === undefined) {
        state.port = Number(m[1]);
        resolve(state);
      }
    });
    child.once('exit', (code) => {
      children.delete(child);
      if (state.port === undefined) reject(new Error(`server exited (${code}): ${state.stderr}`));
    });
  });
}

/** A redis-server of this run's own (durable as the README advises), in a temp dir. */
async function startRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'varstream-bench-redis-'));
  const port = await freePort();
  const redisCommand =
    niceness === undefined
      ? { file: 'redis-server', prefix: [] }
      : { file: 'nice', prefix: ['-n', String(niceness), 'redis-server'] };
  const child = spawn(
    redisCommand.file,
    [...redisCommand.prefix, ...redisServerArgs(port, dir, redisFsync)],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: niceness !== undefined },
  );
  children.add(child);
  prioritize(child);
  await new Promise((resolve, reject) => {
    let out = '';
    child.once('error', (err) => reject(new Error(`redis-server: ${err.message}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
  });
  child.stdout.resume();
  return { child, port, dir };
}

/**
 * The server of a scenario: one process, or (on Redis) a redis-server and
 * one or more nodes. CPU and memory are those of every process, Redis's
 * included.
 */
async function startGroup(kind) {
  const spec = REDIS_KINDS[kind];
  if (spec === undefined) {
    const state = await startServer(kind);
    return {
      first: state,
      nodes: [state],
      urls: [`ws://127.0.0.1:${state.port}/`],
      redis: undefined,
    };
  }
  const redis = await startRedis();
  const extra = ['--redis', `redis://127.0.0.1:${redis.port}`];
  if (spec.workers > 1) extra.push('--workers', String(spec.workers));
  const nodes = [];
  try {
    for (let i = 0; i < spec.nodes; i++) nodes.push(await startServer('ours', extra));
  } catch (err) {
    for (const node of nodes) await stopProcess(node.child);
    await stopProcess(redis.child);
    throw err;
  }
  return {
    first: nodes[0],
    nodes,
    urls: nodes.map((node) => `ws://127.0.0.1:${node.port}/`),
    redis,
  };
}

function groupPids(group) {
  const pids = group.nodes.flatMap((node) => [node.child.pid, ...(node.pids ?? [])]);
  if (group.redis !== undefined) pids.push(group.redis.child.pid);
  return pids;
}

async function stopGroup(group) {
  for (const node of group.nodes) await stopProcess(node.child);
  if (group.redis !== undefined) {
    await stopProcess(group.redis.child);
    rmSync(group.redis.dir, { recursive: true, force: true });
  }
}

function stopProcess(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      children.delete(child);
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    child.once('exit', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function runScenario(scenario) {
  const group = await startGroup(scenario.server);
  const server = group.first;
  const pids = groupPids(group);
  const sum = (f) => pids.reduce((total, pid) => total + f(pid), 0);
  const memoryOf = () => {
    const all = pids.map(processMemory);
    return {
      rss: all.reduce((t, m) => t + m.rss, 0),
      peak: all.reduce((t, m) => t + m.peak, 0),
    };
  };
  const load = fork(join(here, 'load.mjs'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execPath: nodeCommand.file,
    execArgv: nodeCommand.prefix,
    detached: niceness !== undefined,
  });
  children.add(load);
  prioritize(load);
  const samples = {};
  const sample = () => ({
    serverCpu: sum(processCpu),
    loadCpu: processCpu(load.pid),
    selfCpu: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    machine: machineCpu(),
    time: performance.now(),
  });
  const timeoutMs = scenario.warmupMs + scenario.durationMs + DRAIN_MS + 120_000;
  let result;
  try {
    result = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('scenario timed out')), timeoutMs);
      load.on('message', (message) => {
        if (message.type === 'connected') samples.connected = memoryOf();
        else if (message.type === 'measure-start') samples.start = sample();
        else if (message.type === 'measure-end') {
          samples.end = sample();
          samples.memory = memoryOf();
          samples.heap = new Promise((resolve) => {
            const timer = setTimeout(() => resolve(undefined), 2_000);
            server.onMemory = (heap) => {
              clearTimeout(timer);
              resolve(heap);
            };
            server.child.kill('SIGUSR2');
          });
        } else if (message.type === 'result') {
          clearTimeout(timer);
          resolve(message.result);
        } else if (message.type === 'error') {
          clearTimeout(timer);
          reject(new Error(message.error));
        }
      });
      load.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`load generator exited (${code})`));
      });
      load.send({
        url: group.urls[0],
        urls: group.urls,
        kind: scenario.server === 'relay' ? 'relay' : 'ours',
        version: scenario.server === 'ours-v1' ? 1 : 2,
        clients: scenario.clients,
        writers: scenario.writers,
        rate: scenario.rate,
        window: windowSize,
        warmupMs: scenario.warmupMs,
        durationMs: scenario.durationMs,
        drainMs: DRAIN_MS,
        verify: scenario.verify === true,
        full: scenario.full ?? 0,
        edit: scenario.edit,
      });
    });
    samples.heap = await samples.heap;
  } finally {
    await stopProcess(load);
    await stopGroup(group);
  }
  const { start, end, memory } = samples;
  const seconds = (end.time - start.time) / 1000;
  const serverCpu = (end.serverCpu - start.serverCpu) / seconds;
  const loadCpu = (end.loadCpu - start.loadCpu) / seconds;
  const selfCpu = (end.selfCpu - start.selfCpu) / seconds;
  const machineBusy = (end.machine.busy - start.machine.busy) / seconds;
  return {
    ...scenario,
    ...result,
    serverCpu: serverCpu * 100,
    loadCpuProc: loadCpu * 100,
    otherCores: Math.max(0, machineBusy - serverCpu - loadCpu - selfCpu),
    rssConnected: samples.connected?.rss,
    rssPeak: memory.peak,
    rssEnd: memory.rss,
    heap: samples.heap,
    serverWarnings: server.warnings,
    slowConsumers: server.slow,
  };
}

// --- verdicts ---------------------------------------------------------------------------

function saturation(r) {
  const flags = [];
  if (r.rate > 0) {
    const wanted = r.rate * r.expectedPerChange;
    if (r.deliveryRate < 0.97 * wanted) flags.push('rate');
    if (r.latencyTail > 2 * r.latencyHead + 20) flags.push('growing');
    if (r.missing > 0) flags.push('backlog');
  }
  if (r.closedEarly > 0 || r.slowConsumers > 0) flags.push('dropped');
  if (r.rejects > 0 || r.errors > 0) flags.push('rejected');
  if (r.unparsed > 0) flags.push('unparsed');
  // Flat-out is saturated by definition; the generator's own limit is a note.
  const note = r.generatorElu > 0.95 ? 'generator busy' : '';
  const verdict =
    flags.length > 0 ? `${r.rate > 0 ? 'YES ' : ''}${flags.join(', ')}` : r.rate > 0 ? 'no' : '—';
  return note === '' ? verdict : `${verdict} (${note})`;
}

const fmt = (n, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : '—';
const fmtMs = (n) =>
  !Number.isFinite(n) ? '—' : n < 10 ? fmt(n, 2) : n < 100 ? fmt(n, 1) : fmt(n);
/** Ratios below 0.1 as `1/N`: `0.00` says nothing. */
const fmtRatio = (r) => (!Number.isFinite(r) ? '—' : r < 0.1 ? `1/${fmt(1 / r)}` : fmt(r, 2));
const rateLabel = (r) => (r === 0 ? `flat-out (${windowSize}/writer)` : `${fmt(r)}/s`);

/** A markdown table of `header` and one row of cells per entry of `body`. */
function markdownTable(header, body) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...body.map(line)].join('\n');
}

/** The row of `server` measured in the same scenario (clients, writers, rate) as `row`. */
function sameScenario(rows, row, server) {
  return rows.find(
    (r) =>
      r.server === server &&
      r.clients === row.clients &&
      r.writers === row.writers &&
      r.rate === row.rate,
  );
}

/** Deliveries/s, p99 and server CPU per delivery of `r`, each as a ratio to `base`'s. */
function ratioCells(r, base) {
  const perDelivery = (x) => x.serverCpu / x.deliveryRate;
  return [
    fmtRatio(r.deliveryRate / base.deliveryRate),
    fmtRatio(r.p99 / base.p99),
    fmtRatio(perDelivery(r) / perDelivery(base)),
  ];
}

function table(rows) {
  const header = [
    'clients',
    'writers',
    'rate',
    'server',
    'deliveries/s',
    'frames/s',
    'p50 ms',
    'p99 ms',
    'server CPU %',
    'RSS connected / peak / end MB',
    'B/delivery',
    'B/change up',
    'generator CPU %',
    'other load (cores)',
    'saturated',
  ];
  return markdownTable(
    header,
    rows.map((r) => [
      r.clients,
      r.writers,
      rateLabel(r.rate),
      r.server,
      fmt(r.deliveryRate),
      fmt(r.frameRate),
      fmtMs(r.p50),
      fmtMs(r.p99),
      fmt(r.serverCpu),
      `${fmt(r.rssConnected)} / ${fmt(r.rssPeak)} / ${fmt(r.rssEnd)}`,
      fmt(r.bytesPerDelivery, 1),
      fmt(r.upBytesPerChange, 1),
      fmt(r.generatorCpu),
      fmt(r.otherCores, 2),
      saturation(r),
    ]),
  );
}

function ratios(rows) {
  const header = [
    'clients',
    'writers',
    'rate',
    'deliveries/s ours/relay',
    'p99 ours/relay',
    'CPU per delivery ours/relay',
  ];
  const body = [];
  for (const ours of rows.filter((r) => r.server === 'ours')) {
    const relay = sameScenario(rows, ours, 'relay');
    if (relay === undefined) continue;
    body.push([ours.clients, ours.writers, rateLabel(ours.rate), ...ratioCells(ours, relay)]);
  }
  return markdownTable(header, body);
}

/** The servers on Redis against the one process without Redis, same scenario, same run. */
function redisRatios(rows) {
  const header = [
    'clients',
    'writers',
    'rate',
    'server',
    'deliveries/s vs one process',
    'p99 vs one process',
    'CPU per delivery vs one process',
  ];
  const body = [];
  for (const r of rows.filter((row) => REDIS_KINDS[row.server] !== undefined)) {
    const base = sameScenario(rows, r, 'ours');
    if (base === undefined) continue;
    body.push([r.clients, r.writers, rateLabel(r.rate), r.server, ...ratioCells(r, base)]);
  }
  return body.length > 0 ? markdownTable(header, body) : '';
}

/** Bytes on the wire per change, ours against its version 1 heads and the relay, same run. */
function wire(rows) {
  const header = [
    'clients',
    'writers',
    'rate',
    'B/delivery down: ours / ours-v1 / relay',
    'B/change up: ours / ours-v1 / relay',
  ];
  const body = rows
    .filter((r) => r.server === 'ours')
    .map((ours) => {
      const compared = [
        ours,
        sameScenario(rows, ours, 'ours-v1'),
        sameScenario(rows, ours, 'relay'),
      ];
      const three = (key) =>
        compared.map((r) => (r === undefined ? '—' : fmt(r[key], 1))).join(' / ');
      return [
        ours.clients,
        ours.writers,
        rateLabel(ours.rate),
        three('bytesPerDelivery'),
        three('upBytesPerChange'),
      ];
    });
  return markdownTable(header, body);
}

/** Text edits: splices against `=` in the same run (issue 12's targets). */
function editTable(rows) {
  const edits = rows.filter((r) => r.edit !== undefined);
  if (edits.length === 0) return '';
  const small = edits.find((r) => r.edit === 'small');
  const lines = [
    `Text edits, flat-out: ${edits[0].clients} clients, ${edits[0].writers} writers, each change a ` +
      "one-character edit inside the writer's 2 KB message (every client a protocol client; splice: all " +
      'announce ext=splice, the server transforms each splice past those accepted after its base)',
    '',
    '| sent as | deliveries/s | vs one-character `=` | deliveries per server CPU-second | bytes up per change | bytes down per delivery | p50 ms | server CPU % |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const label = {
    small: 'one-character `=` (baseline)',
    resend: 'whole message `=`',
    splice: 'splice `~=`',
  };
  for (const r of edits) {
    lines.push(
      `| ${[
        label[r.edit] ?? r.edit,
        fmt(r.deliveryRate),
        small === undefined ? '—' : fmtRatio(r.deliveryRate / small.deliveryRate),
        r.serverCpu > 0 ? fmt(r.deliveryRate / (r.serverCpu / 100)) : '—',
        fmt(r.upBytesPerChange, 1),
        fmt(r.bytesPerDelivery, 1),
        fmtMs(r.p50),
        fmt(r.serverCpu),
      ].join(' | ')} |`,
    );
  }
  lines.push(
    '',
    'Bytes count the whole change: its `#vs change` line, the `bench.w<n>=<timestamp>` line every ' +
      'change carries for the latency measure (about 30 bytes), the edit, and the WebSocket header.',
  );
  return lines.join('\n');
}

function render(run) {
  const rows = run.rows.filter((r) => r.edit === undefined);
  const others = rows.map((r) => r.otherCores).filter(Number.isFinite);
  const otherMean = others.reduce((a, b) => a + b, 0) / Math.max(1, others.length);
  const loads = (l) => l.map((x) => x.toFixed(2)).join(' ');
  const options = run.serverNodeOptions ?? [];
  const out = [
    `Node ${run.node}, ${run.machine}, ${new Date(run.date).toISOString()}; load average ` +
      `${loads(run.load0)} at start, ${loads(run.load1)} at end; other processes used ` +
      `${fmt(otherMean, 2)} cores on average during the measured windows ` +
      `(${fmt(Math.min(...others), 2)} to ${fmt(Math.max(...others), 2)})` +
      (run.niceness == null
        ? ''
        : `; server and generator at nice ${run.niceness} (own autogroups)`),
    `${run.durationMs / 1000} s measured after ${run.warmupMs / 1000} s of warm-up per scenario; ` +
      'one document; one change per frame from the writers; redis1/redis2/workers2: on a redis-server ' +
      `(appendfsync ${run.redisFsync ?? 'always'}) of the run, server CPU and RSS those of every node and of Redis, ` +
      'redis2 with the clients spread over two nodes; ours-semi2: the same server with ' +
      `--max-semi-space-size=2${options.length > 0 ? `; ours with ${options.join(' ')}` : ''}`,
    run.verifyLine ?? '',
    run.joinLine ?? '',
    '',
    table(rows),
    '',
    ratios(rows),
    '',
    redisRatios(rows),
    '',
    wire(rows),
    '',
    editTable(run.rows),
    '',
  ];
  return `${out.join('\n')}\n`;
}

if (args.report !== undefined) {
  // Only print the tables of a run saved with --json.
  process.stdout.write(render(JSON.parse(readFileSync(args.report, 'utf8'))));
  process.exit(0);
}

// --- main ---------------------------------------------------------------------------

const log = (line) => process.stderr.write(`${line}\n`);
const startedAt = new Date();
const load0 = loadavg();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`;
log(
  `bench:sync — Node ${process.version}, ${machine}, load average ${load0.map((x) => x.toFixed(2)).join(' ')}`,
);

let verifyLine = 'correctness check skipped (--no-verify)';
let verifyFailed = false;
if (!args['no-verify'] && servers.includes('ours')) {
  log(
    'verify: 20 clients (3 applying every frame with the codec), 4 writers, 2 000 changes/s, 3 s',
  );
  const v = await runScenario({
    server: 'ours',
    clients: 20,
    writers: 4,
    rate: 2000,
    warmupMs: 500,
    durationMs: 3000,
    verify: true,
    full: 3,
  });
  const ok = v.verify?.equal === true && v.verify.outOfOrder === 0 && v.missing === 0;
  verifyFailed = !ok;
  verifyLine =
    `correctness check: ${ok ? 'OK' : 'FAILED'} — ${fmt(v.verify?.revisions)} revisions, ` +
    `every one of 20 clients received each once and in order (out of order: ${v.verify?.outOfOrder}, ` +
    `missing: ${v.missing}); ${v.verify?.codecClients} clients applying every frame with the codec ` +
    `${v.verify?.equal ? 'equal' : 'NOT equal'} to the server's tree (${fmt(v.verify?.snapshotBytes)} bytes)`;
  log(verifyLine);
}

// Join: one person opening the demo's form (five fields, a 2 KB message).
let joinLine = 'join: not measured (no ours server)';
if (servers.includes('ours')) {
  const dist = args.dist ?? join(here, '..', 'dist');
  try {
    const offered = await measureJoin(dist, true);
    const plain = await measureJoin(dist, false);
    const total = (j) => `${fmt(j.up + j.down)} bytes (${fmt(j.up)} up + ${fmt(j.down)} down)`;
    joinLine =
      `join of the 5-field form with a 2 KB message (${fmt(offered.formBytes)} bytes of VarStream), ` +
      `@varstream/client with its presence, WebSocket frames both ways: ${total(offered)} ` +
      `offering permessage-deflate as browsers do (welcome ${offered.compressed ? 'compressed' : 'NOT compressed'}); ` +
      `baseline, same run, without the extension: ${total(plain)}; compressing the welcome costs ` +
      `${fmt(offered.deflateMicros)} µs of server CPU per join (${fmt(offered.deflateMicros / 2)} ms for 500 joins; ` +
      'change frames are never compressed)';
  } catch (err) {
    joinLine = `join: did not run: ${err.message}`;
  }
  log(joinLine);
}

const rows = [];
for (const clients of clientCounts) {
  for (const writers of writerCounts) {
    if (writers > clients) continue;
    for (const rate of rates) {
      for (const server of servers) {
        if (!wants(server, clients, writers, rate)) continue;
        const label = `${server} ${clients} clients × ${writers} writers × ${rateLabel(rate)}`;
        try {
          const r = await runScenario({ server, clients, writers, rate, warmupMs, durationMs });
          rows.push(r);
          log(
            `${label}: ${fmt(r.deliveryRate)} deliveries/s, p50 ${fmtMs(r.p50)} ms, p99 ${fmtMs(r.p99)} ms, ` +
              `CPU ${fmt(r.serverCpu)} %, RSS ${fmt(r.rssPeak)}/${fmt(r.rssEnd)} MB, ` +
              `generator ${fmt(r.generatorCpu)} %, other ${fmt(r.otherCores, 2)} cores, saturated: ${saturation(r)}`,
          );
        } catch (err) {
          log(`${label}: did not run: ${err.message}`);
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}

const editKinds = list(args.edits, 'small,resend,splice').filter((e) => e !== 'none');
const editClients = Number(args['edit-clients'] ?? 100);
const editWriters = Number(args['edit-writers'] ?? 10);
if (servers.includes('ours')) {
  for (const edit of editKinds) {
    const label = `ours text edits (${edit}) ${editClients} clients × ${editWriters} writers × flat-out`;
    try {
      const r = await runScenario({
        server: 'ours',
        clients: editClients,
        writers: editWriters,
        rate: 0,
        warmupMs,
        durationMs,
        edit,
      });
      rows.push(r);
      log(
        `${label}: ${fmt(r.deliveryRate)} deliveries/s, p50 ${fmtMs(r.p50)} ms, ` +
          `${fmt(r.upBytesPerChange, 1)} bytes up per change, ${fmt(r.bytesPerDelivery, 1)} down per delivery, ` +
          `rejected ${fmt(r.rejects ?? 0)}, CPU ${fmt(r.serverCpu)} %`,
      );
    } catch (err) {
      log(`${label}: did not run: ${err.message}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const load1 = loadavg();
const run = {
  node: process.version,
  machine,
  date: startedAt,
  load0,
  load1,
  durationMs,
  warmupMs,
  niceness,
  serverNodeOptions,
  verifyLine,
  redisFsync,
  joinLine,
  rows,
};
process.stdout.write(render(run));
if (args.json !== undefined) writeFileSync(args.json, JSON.stringify(run, null, 2));
process.exitCode = verifyFailed ? 1 : 0;

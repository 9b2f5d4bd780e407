// The server side of `pnpm bench:sync`, in a process of its own.
//
//   node bench/server.mjs ours  [--dist <dir>]   @varstream/server (memory only,
//                                                as the CLI without --data)
//   node bench/server.mjs relay                  a plain `ws` relay (the baseline)
//   node bench/server.mjs ours --redis <url> [--workers <n>]
//                                                on Redis; with --workers, n
//                                                processes on one port (node:cluster),
//                                                their pids printed as `PIDS a,b`
//
// Prints `PORT <n>` on stdout once listening; SIGTERM ends it. CPU and RSS
// are read from /proc by the parent; SIGUSR2 prints the V8 heap's spaces.
import cluster from 'node:cluster';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { WebSocketServer } from 'ws';

const here = dirname(fileURLToPath(import.meta.url));
const [kind = 'ours', ...rest] = process.argv.slice(2);
const distFlag = rest.indexOf('--dist');
const dist = distFlag === -1 ? join(here, '..', 'dist') : resolve(rest[distFlag + 1]);
const flag = (name) => {
  const i = rest.indexOf(name);
  return i === -1 ? undefined : rest[i + 1];
};
const redis = flag('--redis');
const workers = Number(flag('--workers') ?? 1);

let stop;
if (kind === 'relay') {
  // Forwards every frame, unparsed, to every other client: one WebSocket
  // frame per message and per recipient, no batching, no limits. This is
  // the "apply and broadcast" demo without the apply.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      for (const client of wss.clients) {
        if (client !== ws && client.readyState === 1) client.send(data, { binary: isBinary });
      }
    });
  });
  await new Promise((done) => wss.once('listening', done));
  process.stdout.write(`PORT ${wss.address().port}\n`);
  stop = () => {
    for (const client of wss.clients) client.terminate();
    wss.close(() => process.exit(0));
  };
} else if (kind === 'ours' && workers > 1 && cluster.isPrimary) {
  // The primary only forks: the workers share one port (listen(0) in a
  // cluster gives every worker the same port).
  const forked = [];
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    const worker = cluster.fork();
    forked.push(worker);
    worker.on('message', (message) => {
      if (typeof message?.port !== 'number' || ++listening < workers) return;
      process.stdout.write(`PIDS ${forked.map((w) => w.process.pid).join(',')}\n`);
      process.stdout.write(`PORT ${message.port}\n`);
    });
  }
  stop = () => {
    for (const worker of forked) worker.process.kill('SIGTERM');
    setTimeout(() => process.exit(0), 2_500).unref();
    let left = forked.length;
    for (const worker of forked) worker.once('exit', () => --left === 0 && process.exit(0));
  };
} else if (kind === 'ours') {
  const { VarStreamServer } = await import(pathToFileURL(join(dist, 'index.js')).href);
  const server = new VarStreamServer({
    host: '127.0.0.1',
    port: 0,
    logLevel: 'warn',
    defaultMetrics: true, // as the CLI
    // The only limits raised: one writer sends up to 5 000 changes/s (the
    // default bucket is 1 000/s per connection). Everything else (slow
    // consumers dropped above 8 MiB buffered, frame limits) is the default.
    maxChangesPerSecond: 1_000_000_000,
    changeBurst: 1_000_000_000,
    ...(redis === undefined ? {} : { redis }),
  });
  await server.listen();
  if (cluster.isWorker) process.send({ port: server.address().port });
  else process.stdout.write(`PORT ${server.address().port}\n`);
  stop = () => {
    // Cut, not graceful: the load generator has already gone.
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(0), 2_000).unref();
  };
} else {
  process.stderr.write(`bench/server.mjs: unknown kind ${kind}\n`);
  process.exit(2);
}
// SIGUSR2: where the memory is (printed as `MEM <json>`).
process.on('SIGUSR2', () => {
  const spaces = {};
  for (const space of getHeapSpaceStatistics()) spaces[space.space_name] = space.space_size;
  process.stdout.write(`MEM ${JSON.stringify({ ...process.memoryUsage(), spaces })}\n`);
});
process.once('SIGTERM', () => stop());
process.once('SIGINT', () => stop());

// The load generator of `pnpm bench:sync`: N WebSocket clients in one
// process, W of them writers. Forked by bench/sync.mjs, which sends the
// scenario and reads the phases (connected, measure-start, measure-end,
// result) over IPC, so that it can read the server's /proc at those instants.
//
// Receiving clients never parse frames with the codec: they count the
// `#vs change` lines of each frame and read the timestamp (microseconds of
// this process's `performance.now()`) that the writer put in the first
// statement of the change, `bench.w<writer>=<timestamp>`. Writers and
// receivers share this process, hence one clock. In `verify` mode a few
// clients also apply every frame with the codec and must end with the
// server's tree.
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const LF = 10;
const EQ = 61;
const CHANGE = Buffer.from('#vs change ');
const REJECT = Buffer.from('#vs reject');
const ERROR = Buffer.from('#vs error');
const STAMP = Buffer.from('bench.w');
const REV = Buffer.from('rev=');

const now = () => performance.now();
const micros = () => Math.round(performance.now() * 1000);

/**
 * Latency histogram, microseconds: 20 µs buckets up to 200 ms, then 1 ms
 * buckets up to 120 s (beyond: the last bucket).
 */
class Histogram {
  static FINE = 20;
  static FINE_MAX = 200_000;
  static COARSE = 1_000;
  static SIZE = Histogram.FINE_MAX / Histogram.FINE + 120_000;
  counts = new Float64Array(Histogram.SIZE);
  n = 0;
  max = 0;
  record(us) {
    const v = Math.max(us, 0);
    const b =
      v < Histogram.FINE_MAX
        ? Math.floor(v / Histogram.FINE)
        : Math.min(
            Histogram.SIZE - 1,
            Histogram.FINE_MAX / Histogram.FINE +
              Math.floor((v - Histogram.FINE_MAX) / Histogram.COARSE),
          );
    this.counts[b]++;
    this.n++;
    if (v > this.max) this.max = v;
  }
  /** Upper bound of the bucket holding the q-quantile, in ms. */
  quantile(q) {
    if (this.n === 0) return Number.NaN;
    const target = Math.ceil(q * this.n);
    let seen = 0;
    for (let b = 0; b < Histogram.SIZE; b++) {
      seen += this.counts[b];
      if (seen >= target) {
        const fineBuckets = Histogram.FINE_MAX / Histogram.FINE;
        const upper =
          b < fineBuckets
            ? (b + 1) * Histogram.FINE
            : Histogram.FINE_MAX + (b - fineBuckets + 1) * Histogram.COARSE;
        return Math.min(upper, this.max) / 1000;
      }
    }
    return this.max / 1000;
  }
}

/** A client frame (FIN, masked with a zero key: the payload is unchanged). */
function frameOf(payload, first = 0x81) {
  const len = payload.length;
  const head = len < 126 ? 6 : len < 65_536 ? 8 : 14;
  const frame = Buffer.allocUnsafe(head + len);
  frame[0] = first;
  if (len < 126) frame[1] = 0x80 | len;
  else if (len < 65_536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(len, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(len), 2);
  }
  frame.writeUInt32BE(0, head - 4);
  payload.copy(frame, head);
  return frame;
}

function sendText(socket, text) {
  socket.write(frameOf(Buffer.from(text, 'utf8')));
}

function count(buf, needle) {
  let n = 0;
  for (let p = buf.indexOf(needle); p !== -1; p = buf.indexOf(needle, p + needle.length)) n++;
  return n;
}

async function run(config) {
  const {
    url,
    kind,
    clients: N,
    writers: W,
    rate, // changes/s in total, 0: flat-out
    window: WINDOW,
    warmupMs,
    durationMs,
    drainMs,
    verify,
    full: FULL,
    version = 2, // ours: the protocol version the clients speak (1: full section heads)
    // Text edits: each change also edits the writer's 2 KB message `text.w<w>`, one
    // character at its middle: 'splice' (`~=`, clients announce ext=splice), 'resend' (the
    // whole message with `=`, what a client without splices sends), 'small' (`=` of one
    // character: a plain change of the same shape). Undefined: the stamp only.
    edit,
  } = config;
  const ours = kind === 'ours';
  // Clients are spread over the servers' URLs (several nodes on Redis): client i on urls[i % n].
  const targets = (config.urls ?? [url]).map((u) => {
    const parsed = new URL(u);
    return { port: Number(parsed.port), path: parsed.pathname };
  });
  const codec = FULL > 0 ? await import('@varstream/varstream') : undefined;

  // --- state --------------------------------------------------------------------
  const sockets = new Array(N);
  /** Sections received per client since the load started (drain check). */
  const received = new Float64Array(N);
  const sent = new Float64Array(W);
  const acked = new Float64Array(W);
  const lastRev = new Float64Array(N).fill(-1);
  const trees = []; // verify: { index, tree }
  let totalSent = 0;
  let running = false;
  let measuring = false;
  let t0us = Number.POSITIVE_INFINITY;
  let t1us = Number.POSITIVE_INFINITY;
  let deliveries = 0;
  let bytes = 0;
  let upBytes = 0; // what writers send in the window, WebSocket header included
  let upChanges = 0;
  let frames = 0;
  let rejects = 0;
  let errors = 0;
  let unparsed = 0;
  let outOfOrder = 0;
  let closedEarly = 0;
  const closeCodes = {};
  const hist = new Histogram();
  const secondSum = new Float64Array(Math.ceil(durationMs / 1000) + 1);
  const secondCount = new Float64Array(secondSum.length);
  let lateSamples = 0; // sections sent in the window, received after it

  // --- sending --------------------------------------------------------------------
  // Client ids as @varstream/client makes them (16 characters), each writer
  // numbering its changes 1, 2, 3...: version 2 sends `#vs change s=<seq>`,
  // version 1 `#vs change id=<client>:<seq>`. The relay gets the short
  // `id=b<w>:<n>` lines it always got (its baseline).
  const clientIds = Array.from({ length: N }, () =>
    randomBytes(12).toString('base64').replace(/[+/]/g, 'x'),
  );
  const seqs = new Float64Array(W);
  const MESSAGE = 'x'.repeat(2048);
  const EDITED = `${MESSAGE.slice(0, 1024)}y${MESSAGE.slice(1024)}`;
  /** The edit statement of change number `s` (odd: a character typed in the middle, even: deleted again). */
  function editLine(w, s) {
    const odd = s % 2 === 1;
    if (edit === 'splice') return odd ? `text.w${w}~=1024,0,y\n` : `text.w${w}~=1024,1\n`;
    if (edit === 'resend') return `text.w${w}=${odd ? EDITED : MESSAGE}\n`;
    return `text.w${w}=${odd ? 'y' : 'x'}\n`;
  }
  function changeText(w) {
    const s = ++seqs[w];
    const ts = micros();
    let line = !ours
      ? `#vs change id=b${w}:${s}`
      : version >= 2
        ? `#vs change s=${s}`
        : `#vs change id=${clientIds[w]}:${s}`;
    // A splice names the last revision its writer saw (the server transforms it past the rest).
    if (edit === 'splice') line += ` base=${Math.max(0, lastRev[w])}`;
    const head = `${line}\nbench.w${w}=${ts}\n`;
    if (edit !== undefined) return head + editLine(w, s);
    if (!verify) return head;
    // Verify: changes that exercise the tree (counters, strings, arrays, `^`).
    return `${head}count.w${w}+=1\ntext.w${w}+="ab"\nlist.+.w=${w}\n^.s=${s}\n`;
  }
  function send(w) {
    const socket = sockets[w];
    if (!socket.open) return;
    const frame = frameOf(Buffer.from(changeText(w), 'utf8'));
    socket.write(frame);
    if (measuring) {
      upBytes += frame.length;
      upChanges++;
    }
    sent[w]++;
    totalSent++;
  }

  // --- receiving ------------------------------------------------------------------
  function onFrame(index, buf) {
    const t = now();
    const inWindow = measuring;
    // Acknowledgements: ours, a writer's own section (the protocol's ack);
    // the relay sends nothing back to the writer, so writer w's change is
    // acknowledged when client w+1 receives it.
    const ackOf = ours ? index : (index - 1 + N) % N;
    let n = 0;
    for (let p = buf.indexOf(CHANGE); p !== -1; ) {
      n++;
      if ((verify || (edit === 'splice' && index < W)) && ours) {
        // `#vs change rev=N ...`: revisions arrive in order, none missing
        // (without `rev`, a compact head: the one after the last received).
        if (buf.indexOf(REV, p + CHANGE.length) === p + CHANGE.length) {
          let rev = 0;
          for (let i = p + CHANGE.length + REV.length; buf[i] >= 48 && buf[i] <= 57; i++) {
            rev = rev * 10 + buf[i] - 48;
          }
          if (lastRev[index] >= 0 && rev !== lastRev[index] + 1) outOfOrder++;
          lastRev[index] = rev;
        } else if (lastRev[index] >= 0) {
          lastRev[index]++;
        } else {
          outOfOrder++; // nothing held yet: the revision cannot be implied
        }
      }
      const eol = buf.indexOf(LF, p + CHANGE.length);
      let i = eol + 1;
      let next = eol === -1 ? -1 : eol + 1;
      if (eol !== -1 && buf.compare(STAMP, 0, STAMP.length, i, i + STAMP.length) === 0) {
        i += STAMP.length;
        let w = 0;
        for (; buf[i] !== EQ && i < buf.length; i++) w = w * 10 + buf[i] - 48;
        let ts = 0;
        for (i++; buf[i] !== LF && i < buf.length; i++) ts = ts * 10 + buf[i] - 48;
        next = i;
        if (ts >= t0us && ts < t1us) {
          const lat = t * 1000 - ts;
          hist.record(lat);
          const slot = Math.floor((ts - t0us) / 1e6);
          secondSum[slot] += lat;
          secondCount[slot]++;
          if (!inWindow) lateSamples++;
        }
        if (w === ackOf && w < W) {
          acked[w]++;
          if (running && rate === 0) send(w);
        }
      } else {
        unparsed++;
      }
      p = next === -1 ? -1 : buf.indexOf(CHANGE, next);
    }
    received[index] += n;
    if (inWindow) deliveries += n;
    if (index < W && ours) {
      // Answers only go to writers: rejections release the window too.
      const r = count(buf, REJECT);
      if (r > 0) {
        rejects += r;
        acked[index] += r;
        if (running && rate === 0) for (let k = 0; k < r; k++) send(index);
      }
      errors += count(buf, ERROR);
    }
    const tree = trees[index];
    if (tree !== undefined) applyFrame(tree, buf);
  }

  function applyFrame(tree, buf) {
    const context = new codec.PathContext();
    const reader = new codec.Reader({ context });
    reader.end(buf.toString('utf8'));
    for (const statement of reader) tree.apply(statement, context);
  }

  // --- connecting -----------------------------------------------------------------
  // A minimal WebSocket client on a raw socket (RFC 6455: the upgrade, then
  // unmasked frames from the server): several frames per `data` event are
  // read in place, without a Buffer or an event per frame, so that 500
  // clients in one process stay cheaper than the server they load.
  function open(index, withTree) {
    return new Promise((resolve, reject) => {
      const { port, path } = targets[index % targets.length];
      const socket = connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      sockets[index] = socket;
      socket.open = false;
      let handshaking = true;
      let welcomed = false;
      let pending = []; // chunks of an incomplete frame
      let pendingBytes = 0;
      let need = 0; // bytes the incomplete frame needs
      const fail = (err) => {
        if (!welcomed) reject(err);
      };
      socket.once('error', fail);
      socket.on('close', () => {
        if (socket.open) {
          socket.open = false;
          if (running) closedEarly++;
        }
        fail(new Error(`client ${index} closed before the welcome`));
      });
      socket.write(
        `GET ${path}${ours ? '?vs=1' : ''} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const onMessage = (payload) => {
        if (!welcomed) {
          welcomed = true;
          if (withTree) {
            const tree = new codec.Tree({});
            applyFrame(tree, payload);
            trees[index] = tree;
          }
          const m = /^#vs welcome [^\n]* rev=(\d+)/.exec(payload.toString('utf8', 0, 300));
          if (m !== null) lastRev[index] = Number(m[1]);
          resolve(socket);
          return;
        }
        onFrame(index, payload);
      };
      socket.on('data', (chunk) => {
        let buf = chunk;
        if (pendingBytes > 0) {
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes < need) return;
          buf = Buffer.concat(pending, pendingBytes);
          pending = [];
          pendingBytes = 0;
        }
        let off = 0;
        if (handshaking) {
          const end = buf.indexOf('\r\n\r\n');
          if (end === -1) {
            pending = [buf];
            pendingBytes = buf.length;
            need = buf.length + 1;
            return;
          }
          if (!buf.toString('latin1', 0, 12).startsWith('HTTP/1.1 101')) {
            socket.destroy();
            fail(new Error(`upgrade refused: ${buf.toString('latin1', 0, end)}`));
            return;
          }
          handshaking = false;
          socket.open = true;
          off = end + 4;
          if (ours) {
            const ext = edit === 'splice' ? ' ext=splice' : '';
            sendText(socket, `#vs hello v=${version} client=${clientIds[index]}${ext}`);
          } else {
            welcomed = true;
            resolve(socket);
          }
        }
        need = 0;
        while (off < buf.length) {
          const avail = buf.length - off;
          if (avail < 2) break;
          let len = buf[off + 1] & 0x7f;
          let head = 2;
          if (len === 126) {
            if (avail < 4) break;
            len = buf.readUInt16BE(off + 2);
            head = 4;
          } else if (len === 127) {
            if (avail < 10) break;
            len = Number(buf.readBigUInt64BE(off + 2));
            head = 10;
          }
          if (avail < head + len) {
            need = head + len;
            break;
          }
          const opcode = buf[off] & 0x0f;
          const payload = buf.subarray(off + head, off + head + len);
          off += head + len;
          if (opcode === 1 || opcode === 2) {
            if (measuring) {
              bytes += head + len;
              frames++;
            }
            onMessage(payload);
          } else if (opcode === 8) {
            const code = len >= 2 ? payload.readUInt16BE(0) : 1005;
            closeCodes[code] = (closeCodes[code] ?? 0) + 1;
            if (running) closedEarly++;
            socket.open = false;
            socket.destroy();
            fail(new Error(`closed ${code} before the welcome`));
            return;
          } else if (opcode === 9) {
            socket.write(frameOf(payload, 0x8a)); // pong
          }
        }
        if (off < buf.length) {
          const rest = buf.subarray(off);
          if (need === 0) need = rest.length + 1; // the header itself is incomplete
          pending = [rest];
          pendingBytes = rest.length;
        }
      });
    });
  }

  const batch = 25;
  for (let start = 0; start < N; start += batch) {
    const opening = [];
    for (let i = start; i < Math.min(N, start + batch); i++) {
      opening.push(open(i, i >= N - FULL));
    }
    await Promise.all(opening);
  }
  process.send({ type: 'connected' });
  if (edit !== undefined) {
    // Each writer's message, before the load (no id: not counted as sent).
    for (let w = 0; w < W; w++)
      sendText(sockets[w], `text.w${w}=${edit === 'small' ? 'x' : MESSAGE}\n`);
  }
  await new Promise((r) => setTimeout(r, 200));

  // --- load -----------------------------------------------------------------------
  running = true;
  const startedAt = now();
  let pacer;
  if (rate === 0) {
    for (let w = 0; w < W; w++) for (let k = 0; k < WINDOW; k++) send(w);
  } else {
    const perWriter = rate / W;
    pacer = setInterval(() => {
      const elapsed = (now() - startedAt) / 1000;
      for (let w = 0; w < W; w++) {
        const due = Math.floor(perWriter * elapsed + w / W);
        while (sent[w] < due) send(w);
      }
    }, 1);
  }
  await new Promise((r) => setTimeout(r, warmupMs));
  const sentBefore = totalSent;
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  t0us = micros();
  measuring = true;
  process.send({ type: 'measure-start' });
  await new Promise((r) => setTimeout(r, durationMs));
  measuring = false;
  t1us = micros();
  process.send({ type: 'measure-end' });
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const windowS = (t1us - t0us) / 1e6;
  const sentInWindow = totalSent - sentBefore;
  running = false;
  clearInterval(pacer);

  // --- drain ----------------------------------------------------------------------
  const expected = (i) => (ours ? totalSent : totalSent - (i < W ? sent[i] : 0));
  const drainStart = now();
  let missing = 0;
  for (;;) {
    missing = 0;
    for (let i = 0; i < N; i++) {
      if (sockets[i].open) missing += Math.max(0, expected(i) - received[i]);
    }
    if (missing === 0 || now() - drainStart > drainMs) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const drainedMs = now() - drainStart;

  // --- verify ---------------------------------------------------------------------
  let verifyResult;
  if (FULL > 0 && ours) {
    const { WebSocket } = await import('ws');
    const server = await new Promise((resolve, reject) => {
      const ws = new WebSocket(`${url}?vs=1`, { perMessageDeflate: false });
      ws.on('open', () => ws.send('#vs hello v=1 client=verifier'));
      ws.once('message', (data) => {
        const tree = new codec.Tree({});
        applyFrame(tree, data);
        ws.terminate();
        resolve(codec.stringify(tree.root));
      });
      ws.once('error', reject);
    });
    const mismatches = trees.filter((t) => t !== undefined && codec.stringify(t.root) !== server);
    verifyResult = {
      codecClients: trees.filter((t) => t !== undefined).length,
      equal: mismatches.length === 0,
      snapshotBytes: Buffer.byteLength(server),
      outOfOrder,
      revisions: totalSent,
    };
  }

  // Latency trend: mean of the first two seconds against the last two.
  const means = [];
  for (let s = 0; s < secondSum.length; s++) {
    if (secondCount[s] > 0) means.push(secondSum[s] / secondCount[s] / 1000);
  }
  const head = means.slice(0, 2);
  const tail = means.slice(-2);
  const avg = (a) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);

  for (const socket of sockets) socket.destroy();
  return {
    windowS,
    sentRate: sentInWindow / windowS,
    deliveries,
    deliveryRate: deliveries / windowS,
    expectedPerChange: ours ? N : N - 1,
    frames,
    frameRate: frames / windowS,
    bytesPerDelivery: deliveries === 0 ? Number.NaN : bytes / deliveries,
    upBytesPerChange: upChanges === 0 ? Number.NaN : upBytes / upChanges,
    p50: hist.quantile(0.5),
    p99: hist.quantile(0.99),
    max: hist.max / 1000,
    samples: hist.n,
    lateSamples,
    latencyHead: avg(head),
    latencyTail: avg(tail),
    missing,
    drainedMs,
    rejects,
    errors,
    unparsed,
    closedEarly,
    closeCodes,
    generatorCpu: ((cpu.user + cpu.system) / 1e6 / windowS) * 100,
    generatorElu: elu.utilization,
    verify: verifyResult,
  };
}

process.once('message', (config) => {
  run(config).then(
    (result) => {
      process.send({ type: 'result', result }, () => process.exit(0));
    },
    (err) => {
      process.send({ type: 'error', error: String(err?.stack ?? err) }, () => process.exit(1));
    },
  );
});

// `pnpm bench`: parse and stringify against JSON and varstream 0.3.2, output
// sizes, and the hostile inputs. Prints markdown tables and writes them to
// bench/results.md. Measures, never fails on a slow machine.

import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataSets } from './data.mjs';
import { cases } from './hostile.mjs';
import {
  formatBytes,
  formatMs,
  formatRatio,
  measure,
  measureAll,
  timeInWorker,
} from './measure.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '../dist/index.js');
if (!existsSync(dist)) {
  console.error('dist/ is missing: run `pnpm build` first.');
  process.exit(1);
}
const { parse, stringify } = await import(dist);
process.noDeprecation = true; // 0.3.2 uses `new Buffer`
const VarStream = createRequire(import.meta.url)('varstream');

const loadAtStart = loadavg()[0];
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
const opts = quick ? { warmMs: 50, sampleMs: 15 } : {};
const bytes = (text) => Buffer.byteLength(text, 'utf8');
/** Reads a character: V8 flattens a string built of pieces when it is read. */
const flat = (text) => {
  text.charCodeAt(text.length >> 1);
  return text;
};
const out = [];
const print = (line = '') => {
  out.push(line);
  console.log(line);
};

/** A markdown table, columns padded (first left-aligned, others right-aligned). */
function table(head, rows) {
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(3, ...all.map((row) => row[c].length)));
  const cell = (text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]));
  const line = (row) => `| ${row.map(cell).join(' | ')} |`;
  print(line(head));
  print(
    `| ${widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
  );
  for (const row of rows) print(line(row));
  print();
}

function sameValue(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// --- the data sets ------------------------------------------------------------------------

const speed = [];
const legacy = [];
const sizes = [];
for (const set of dataSets()) {
  if (only !== undefined && !set.name.includes(only)) continue;
  const { name, value } = set;
  const json = JSON.stringify(value);
  const text = stringify(value);
  const legacyText = stringify(value, { legacy: true });
  const oldText = VarStream.stringify(value);
  if (!sameValue(parse(text, { strict: true }), value)) console.warn(`! ${name}: no round trip`);
  if (legacyText !== oldText) console.warn(`! ${name}: legacy output differs from 0.3.2`);
  process.stderr.write(`${name}…\n`);

  // Parsers read their own output of the value. A written string is read
  // once (flattened) in the timing: V8 may return a tree of pieces that costs
  // its first reader, where JSON.stringify returns a flat string.
  const t = measureAll(
    {
      parse: () => parse(text),
      jsonParse: () => JSON.parse(json),
      oldParse: () => VarStream.parse(oldText),
      legacyParse: () => parse(oldText, { legacy: true }),
      stringify: () => flat(stringify(value)),
      jsonStringify: () => flat(JSON.stringify(value)),
      oldStringify: () => flat(VarStream.stringify(value)),
      legacyStringify: () => flat(stringify(value, { legacy: true })),
    },
    opts,
  );
  speed.push([
    name,
    formatMs(t.parse),
    formatMs(t.jsonParse),
    formatRatio(t.parse / t.jsonParse),
    formatMs(t.oldParse),
    formatRatio(t.oldParse / t.parse),
    formatMs(t.stringify),
    formatMs(t.jsonStringify),
    formatRatio(t.stringify / t.jsonStringify),
    formatMs(t.oldStringify),
    formatRatio(t.oldStringify / t.stringify),
  ]);
  legacy.push([
    name,
    formatMs(t.legacyParse),
    formatMs(t.oldParse),
    formatRatio(t.oldParse / t.legacyParse),
    formatMs(t.legacyStringify),
    formatMs(t.oldStringify),
    formatRatio(t.oldStringify / t.legacyStringify),
  ]);
  sizes.push([
    name,
    formatBytes(bytes(text)),
    formatBytes(bytes(json)),
    formatBytes(bytes(oldText)),
    set.dat === undefined ? '–' : formatBytes(set.dat.length),
    `${((bytes(text) / bytes(json)) * 100).toFixed(0)} %`,
  ]);
}

// --- hostile inputs -------------------------------------------------------------------------

/** 0.3.2 on growing sizes, each in a worker; stops after a run over 1 s or a timeout. */
async function oldOnLadder(index, op) {
  const c = cases[index];
  let best;
  for (const n of c.ladder) {
    const r = await timeInWorker(
      new URL('./hostile.mjs', import.meta.url),
      { hostile: true, index, n, op },
      quick ? 5_000 : 15_000,
    );
    if (r.error !== undefined) {
      const why = r.error.includes('call stack') ? 'stack overflow' : r.error.slice(0, 40);
      const failure = `fails at ${formatBytes(n)}: ${why}`;
      return best === undefined ? failure : `${best} (${failure})`;
    }
    if (r.timeout) return `${best ?? ''} (> ${quick ? 5 : 15} s at ${formatBytes(n)})`.trim();
    best = n === c.size ? formatMs(r.ms) : `${formatMs(r.ms)} at ${formatBytes(n)} ${c.unit}`;
    if (r.ms > 1000) break;
  }
  return best;
}

const hostile = [];
if (only === undefined || only === 'hostile') {
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i];
    process.stderr.write(`${c.name}…\n`);
    const value = c.value(c.size);
    const written = stringify(value);
    const limits = c.limits ?? {};
    const text = c.text?.(c.size) ?? written;
    const parses = c.name.includes('sparse') ? undefined : text;
    const slow = { warmMs: 0, sampleMs: 0 };
    hostile.push([
      c.name,
      parses === undefined
        ? '(over the index limits)'
        : formatMs(measure(() => parse(text, { strict: true, limits }), slow)),
      formatMs(measure(() => flat(stringify(value)), slow)),
      c.text === undefined ? '–' : await oldOnLadder(i, 'parse'),
      await oldOnLadder(i, 'stringify'),
    ]);
  }
}

// --- report ---------------------------------------------------------------------------------

print(
  `Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, load average ${loadAtStart.toFixed(1)} at the start; median of several samples after warm-up.`,
);
print();
print('### Speed: default mode vs JSON and vs varstream 0.3.2');
print();
print(
  'Ratio: our time / JSON time (lower is better). Speedup: 0.3.2 time / our time. Each parser reads its own output of the same value.',
);
print();
table(
  [
    'Set',
    'parse',
    'JSON.parse',
    'ratio',
    '0.3.2 parse',
    'speedup',
    'stringify',
    'JSON.stringify',
    'ratio',
    '0.3.2 stringify',
    'speedup',
  ],
  speed,
);
print('### Legacy mode (`{ legacy: true }`) vs varstream 0.3.2');
print();
table(
  [
    'Set',
    'legacy parse',
    '0.3.2 parse',
    'speedup',
    'legacy stringify',
    '0.3.2 stringify',
    'speedup',
  ],
  legacy,
);
print('### Output size (UTF-8 bytes)');
print();
table(['Set', 'default', 'JSON', '0.3.2', '0.3.2 .dat', 'default / JSON'], sizes);
if (hostile.length > 0) {
  print('### Hostile inputs');
  print();
  print(
    'Ours: the full size. 0.3.2: run in a worker on growing sizes; the largest that finished, with its size when smaller.',
  );
  print();
  table(['Input', 'parse', 'stringify', '0.3.2 parse', '0.3.2 stringify'], hostile);
}
if (only === undefined) writeFileSync(join(here, 'results.md'), `${out.join('\n').trimEnd()}\n`);

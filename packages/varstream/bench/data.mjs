// Data sets of the benchmark: the shared compare sets and generated ones.
// Deterministic (seeded), so two runs measure the same bytes.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const COMPARE = join(here, '../test/fixtures/varstream-0.3.2/compare');

/** Mulberry32: a small seeded PRNG. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'alpha',
  'bravo',
  'charlie',
  'delta',
  'echo',
  'foxtrot',
  'golf',
  'hotel',
  'india',
  'juliet',
  'kilo',
  'lima',
];

function words(rand, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out.join(' ');
}

/** 10 000 keys at the root, values of every scalar type. */
function flatKeys() {
  const rand = random(1);
  const out = {};
  for (let i = 0; i < 10_000; i++) {
    const r = i % 4;
    out[`key_${i}`] =
      r === 0 ? i : r === 1 ? words(rand, 2) : r === 2 ? Math.round(rand() * 1e6) / 100 : i % 8 < 4;
  }
  return out;
}

/** A tree 5 levels deep: fan-out 10, 10, 10, 10, 5 = 50 000 numeric leaves. */
function deepTree() {
  const fan = [10, 10, 10, 10, 5];
  let n = 0;
  const build = (level) => {
    const node = {};
    for (let i = 0; i < fan[level]; i++) {
      node[`n${level}_${i}`] = level === fan.length - 1 ? n++ : build(level + 1);
    }
    return node;
  };
  return build(0);
}

/** 10 000 records with strings, numbers, booleans, null, a nested object and an array. */
function records() {
  const rand = random(2);
  const list = [];
  for (let i = 0; i < 10_000; i++) {
    const tags = [];
    for (let t = Math.floor(rand() * 4); t > 0; t--) tags.push(WORDS[Math.floor(rand() * 12)]);
    list.push({
      id: i,
      name: `${words(rand, 1)} ${words(rand, 1)}`,
      email: `user${i}@example.com`,
      score: Math.round(rand() * 10_000) / 100,
      active: rand() < 0.5,
      manager: i % 10 === 0 ? null : i - (i % 10),
      address: { city: words(rand, 1), zip: String(10_000 + Math.floor(rand() * 89_999)) },
      tags,
      created: new Date(1.6e12 + i * 86_400_000).toISOString(),
    });
  }
  return { records: list };
}

/** One 1 MB string of 80-character lines. */
function multiLine() {
  const rand = random(3);
  const lines = [];
  let size = 0;
  while (size < 1_000_000) {
    let line = words(rand, 14);
    line = line.slice(0, 80);
    lines.push(line);
    size += line.length + 1;
  }
  return { text: lines.join('\n') };
}

/** Every set: `{ name, value }`, the compare sets first. */
export function dataSets() {
  const sets = readdirSync(COMPARE)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({
      name: `compare/${f.slice(0, -5)}`,
      value: JSON.parse(readFileSync(join(COMPARE, f), 'utf8')),
      dat: readFileSync(join(COMPARE, `${f.slice(0, -5)}.dat`)),
    }));
  sets.push(
    { name: '10k flat keys', value: flatKeys() },
    { name: '5-level tree, 50k leaves', value: deepTree() },
    { name: '10k records', value: records() },
    { name: '1 MB multi-line string', value: multiLine() },
  );
  return sets;
}

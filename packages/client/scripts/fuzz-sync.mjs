#!/usr/bin/env node
// The sync fuzz test (test/integration/sync-fuzz.property.test.ts) with
// wider bounds, for a person hunting bugs (CI runs it small, with one seed).
// Usage: node scripts/fuzz-sync.mjs [runs per seed] [first seed] [seeds]
//   FUZZ_SHRINK=1 shrinks a failure to a minimal case (slower);
//   FUZZ_KEEP=1 keeps each run's data directory (its journal).
import { spawnSync } from 'node:child_process';

const runs = Number(process.argv[2] ?? 300);
const first = Number(process.argv[3] ?? Date.now() % 1_000_000);
const seeds = Number(process.argv[4] ?? 5);
let failed = 0;
for (let seed = first; seed < first + seeds; seed++) {
  console.log(`seed ${seed}: ${runs} runs`);
  const result = spawnSync(
    'npx',
    ['vitest', 'run', '--project', 'node', 'test/integration/sync-fuzz.property.test.ts'],
    {
      stdio: 'inherit',
      env: { ...process.env, FUZZ_RUNS: String(runs), FUZZ_SEED: String(seed), FUZZ_STRICT: '1' },
    },
  );
  if (result.status !== 0) failed++;
}
console.log(`${failed} of ${seeds} seeds failed`);
process.exit(failed === 0 ? 0 : 1);

// Prints the minified + gzipped size of the client with its codec, as a
// browser bundle, beside baselines built in the same run with the same
// settings: `pnpm --filter @varstream/client size` (also its `bench`);
// `--breakdown` adds the bytes each module leaves in the minified
// `@varstream/client/dom` bundle.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { browserBundle } from './browser-bundle.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const settings = browserBundle;

/** The values (not types) the client's sources import from the codec. */
function codecImports() {
  const names = new Set();
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (file.endsWith('.ts')) {
        const text = readFileSync(file, 'utf8');
        for (const [, list] of text.matchAll(/import \{([^}]*)\} from '@varstream\/varstream';/g)) {
          for (const name of list.split(',').map((s) => s.trim())) {
            if (name !== '' && !name.startsWith('type ')) names.add(name);
          }
        }
      }
    }
  };
  visit(join(root, 'src'));
  return [...names].sort();
}

const stdin = (contents) => ({ stdin: { contents, resolveDir: root, loader: 'js' } });
const used = codecImports();
// What the client used before it had the whole-text reader and the replica tree.
const before = used.map((name) =>
  name === 'readText' ? 'Reader' : name === 'ReplicaTree' ? 'Tree' : name,
);

const rows = [
  ['@varstream/client (client + codec)', { entryPoints: [`${root}src/index.ts`] }],
  ['@varstream/client/dom (dom + client + codec)', { entryPoints: [`${root}src/dom/index.ts`] }],
  [
    '  as the demo imports it',
    stdin("export { bindForm, connect, peerLabel, peersByFocus } from '@varstream/client/dom';"),
  ],
  [
    '  of which the codec parts used',
    stdin(`export { ${used.join(', ')} } from '@varstream/varstream';`),
  ],
  [
    'baseline: the same codec parts with Reader and Tree',
    stdin(`export { ${[...new Set(before)].join(', ')} } from '@varstream/varstream';`),
  ],
  [
    'baseline: a minimal line-relay client (size-baseline/relay-client.js)',
    { entryPoints: [`${root}size-baseline/relay-client.js`] },
  ],
];

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
const sizes = [];
for (const [name, input] of rows) {
  const result = await build({ ...input, ...settings });
  const code = result.outputFiles[0].contents;
  sizes.push({ name, min: code.length, gzip: gzipSync(code, { level: 9 }).length });
}
const [client, dom, demo, codec, codecBefore, relay] = sizes;
/** Issue 15's aim for `@varstream/client/dom`, min+gzip. */
const TARGET = 8 * 1024;
const ratios = new Map([
  [client, `${(client.gzip / relay.gzip).toFixed(1)}x the relay client`],
  [
    dom,
    `${(dom.gzip / relay.gzip).toFixed(1)}x the relay client, ${(dom.gzip / TARGET).toFixed(2)}x the 8 kB aim`,
  ],
  [demo, `${(demo.gzip / relay.gzip).toFixed(1)}x the relay client`],
  [codec, `${(codec.gzip / codecBefore.gzip).toFixed(2)}x the same parts with Reader and Tree`],
]);
const width = Math.max(...sizes.map((s) => s.name.length));
for (const size of sizes) {
  const ratio = ratios.has(size) ? `  (${ratios.get(size)})` : '';
  console.log(
    `${size.name.padEnd(width)}  ${kb(size.min).padStart(8)} min  ${kb(size.gzip).padStart(8)} min+gzip${ratio}`,
  );
}

if (process.argv.includes('--breakdown')) {
  const result = await build({
    entryPoints: [`${root}src/dom/index.ts`],
    ...settings,
    metafile: true,
  });
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output.inputs)
    .map(([file, { bytesInOutput }]) => [bytesInOutput, file.replace(/^.*packages\//, '')])
    .filter(([bytes]) => bytes > 0)
    .sort((a, b) => b[0] - a[0]);
  console.log('\nbytes each module leaves in the minified @varstream/client/dom bundle:');
  for (const [bytes, file] of modules) console.log(`${String(bytes).padStart(7)}  ${file}`);
}

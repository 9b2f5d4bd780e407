// Prints the minified + gzipped size of the client with its codec, as a
// browser bundle: `pnpm --filter @varstream/client size`.
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const entries = [
  ['@varstream/client', 'src/index.ts'],
  ['@varstream/client/dom (with the client)', 'src/dom/index.ts'],
];

for (const [name, entry] of entries) {
  const result = await build({
    entryPoints: [new URL(`../${entry}`, import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
    metafile: true,
  });
  const code = result.outputFiles[0].contents;
  const gzip = gzipSync(code, { level: 9 }).length;
  const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
  console.log(`${name}: ${kb(code.length)} minified, ${kb(gzip)} minified+gzipped`);
}

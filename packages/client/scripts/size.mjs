// Prints the minified + gzipped size of the client with its codec, as a
// browser bundle: `pnpm --filter @varstream/client size`.
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const codecUsed =
  "export { Reader, Tree, PathContext, parsePath, formatPath, formatStatement, EMPTY_ARRAY, EMPTY_OBJECT, APPEND, LAST, RESET } from '@varstream/varstream';";

const entries = [
  ['@varstream/client (client + codec)', { entryPoints: [`${root}src/index.ts`] }],
  ['@varstream/client/dom (dom + client + codec)', { entryPoints: [`${root}src/dom/index.ts`] }],
  [
    '  of which the codec parts used',
    { stdin: { contents: codecUsed, resolveDir: root, loader: 'ts' } },
  ],
];

const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
for (const [name, input] of entries) {
  const result = await build({
    ...input,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: ['source'],
    write: false,
  });
  const code = result.outputFiles[0].contents;
  console.log(
    `${name}: ${kb(code.length)} min, ${kb(gzipSync(code, { level: 9 }).length)} min+gzip`,
  );
}

// dist/cjs holds the CommonJS build (tsconfig.cjs.json): its .js files are
// CommonJS although the package is "type": "module"; this package.json says so.
import { mkdirSync, writeFileSync } from 'node:fs';

const dir = new URL('../dist/cjs/', import.meta.url);
mkdirSync(dir, { recursive: true });
writeFileSync(new URL('package.json', dir), `${JSON.stringify({ type: 'commonjs' })}\n`);

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { browserBundle } from '../../scripts/browser-bundle.mjs';

// The browser bundle takes from the codec only what a replica needs
// (scripts/size.mjs measures it): the whole-text reader and the replica
// tree, never the streaming Reader, the full Tree, the UTF-8 decoder, nor
// the legacy, JSON, stream, compat or CLI code.
const root = fileURLToPath(new URL('../..', import.meta.url));

async function bundledFiles(entry: string): Promise<string[]> {
  const result = await build({
    ...browserBundle,
    entryPoints: [`${root}${entry}`],
    metafile: true,
    absWorkingDir: root,
  });
  const [output] = Object.values(result.metafile.outputs);
  return Object.entries(output!.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([file]) => resolve(root, file).replace(/^.*packages\//, ''));
}

describe('the browser bundle', () => {
  it.each(['src/index.ts', 'src/dom/index.ts'])(
    '%s leaves out what a replica does not need',
    async (entry) => {
      const files = await bundledFiles(entry);
      expect(files).toContain('varstream/src/read-text.ts');
      expect(files).toContain('varstream/src/replica-tree.ts');
      const codec = files.filter((f) => f.startsWith('varstream/src/'));
      for (const unwanted of [
        /\/reader\.ts$/,
        /\/tree\.ts$/,
        /\/utf8\.ts$/,
        /\/fast-parse\.ts$/,
        /\/(legacy|json|stream|compat|cli)\//,
      ]) {
        expect(codec.filter((f) => unwanted.test(f))).toEqual([]);
      }
    },
  );
});

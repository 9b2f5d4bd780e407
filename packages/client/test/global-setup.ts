import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackage } from '../../../scripts/lib/build-package.mjs';

/** The tests run the built package (README examples, and more): build it first. */
export default function setup(): void {
  buildPackage(join(dirname(fileURLToPath(import.meta.url)), '..'));
}

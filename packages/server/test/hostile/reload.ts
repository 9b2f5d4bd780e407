import { expect } from 'vitest';
import { startServer } from '../helpers/server.js';

/**
 * Starts a fresh server on `dataDir` and checks that `doc` loads and holds
 * exactly `snapshot` (what the attacked server held when it closed).
 */
export async function expectReloads(dataDir: string, doc: string, snapshot: string): Promise<void> {
  const again = await startServer({ dataDir });
  try {
    const view = await again.server.open(doc);
    expect(view.snapshot()).toBe(snapshot);
  } finally {
    await again.close();
  }
}

import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/** fsync a directory, so that a rename or unlink in it survives a crash. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `path` with `data` atomically: written to `temp`, fsynced,
 * renamed over `path`, directory fsynced. After a crash, `path` holds either
 * the old content or the new one, whole.
 */
export async function writeFileAtomic(path: string, temp: string, data: Buffer): Promise<void> {
  const handle = await open(temp, 'w');
  try {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await handle.write(data, offset, data.length - offset, null);
      offset += bytesWritten;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDir(dirname(path));
}

import { type FileHandle, open } from 'node:fs/promises';

/**
 * An append-only file. Not safe for concurrent calls: the document store
 * runs every operation on it one after the other.
 */
export class JournalFile {
  path: string;
  readonly #handle: FileHandle;
  #size: number;
  #dirty = false;

  private constructor(path: string, handle: FileHandle, size: number) {
    this.path = path;
    this.#handle = handle;
    this.#size = size;
  }

  /** Opens for appending (created if missing; emptied first with `truncate`). */
  static async open(path: string, options: { truncate?: boolean } = {}): Promise<JournalFile> {
    const handle = await open(path, options.truncate === true ? 'w' : 'a');
    const { size } = await handle.stat();
    return new JournalFile(path, handle, size);
  }

  get size(): number {
    return this.#size;
  }

  async append(data: Buffer): Promise<void> {
    let offset = 0;
    while (offset < data.length) {
      const { bytesWritten } = await this.#handle.write(data, offset, data.length - offset, null);
      offset += bytesWritten;
    }
    this.#size += data.length;
    this.#dirty = true;
  }

  /** fdatasync if anything was written since the last one; returns its duration in seconds, or undefined. */
  async sync(): Promise<number | undefined> {
    if (!this.#dirty) return undefined;
    this.#dirty = false;
    const start = performance.now();
    await this.#handle.datasync();
    return (performance.now() - start) / 1000;
  }

  async close(): Promise<void> {
    await this.sync();
    await this.#handle.close();
  }
}

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** A file or stream that cannot be read or written: exit code 3. */
export class IoError extends Error {
  override readonly name = 'IoError';
  constructor(
    message: string,
    /** The system error code (ENOENT, EACCES, EPIPE...), when there is one. */
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EPIPE: 'broken pipe',
  EMFILE: 'too many open files',
};

function systemCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function ioError(action: string, name: string, err: unknown): IoError {
  if (err instanceof IoError) return err;
  const code = systemCode(err);
  const reason =
    code !== undefined && REASONS[code] !== undefined
      ? `${code} (${REASONS[code]})`
      : err instanceof Error
        ? err.message
        : String(err);
  return new IoError(`cannot ${action} ${name}: ${reason}`, code);
}

export interface Input {
  /** The name used in messages: the file as given, or `<stdin>`. */
  readonly name: string;
  /** The chunks of the input; a read failure is an `IoError`. */
  chunks(): AsyncIterable<string | Uint8Array>;
  close(): void;
}

/** Opens the input file (or standard input), failing early when it cannot be read. */
export async function openInput(
  file: string | undefined,
  stdin: Readable,
  cwd: string,
): Promise<Input> {
  const name = file ?? '<stdin>';
  let stream: Readable = stdin;
  if (file !== undefined) {
    try {
      const handle = await open(resolve(cwd, file), 'r');
      stream = handle.createReadStream({ highWaterMark: 64 * 1024 }) as unknown as Readable;
    } catch (err) {
      throw ioError('read', name, err);
    }
  }
  return {
    name,
    async *chunks() {
      try {
        for await (const chunk of stream) yield chunk as string | Uint8Array;
      } catch (err) {
        throw ioError('read', name, err);
      }
    },
    close() {
      if (file !== undefined) stream.destroy();
    },
  };
}

/**
 * Where the output goes, with backpressure: `write()` waits for 'drain'
 * when the stream's buffer is full. A file is written to a temporary file
 * next to it and renamed over it by `finish()`, so a failed run never leaves
 * a half-written (or truncated) output; `abort()` removes the temporary file.
 */
export class Output {
  readonly name: string;
  readonly #stream: Writable;
  readonly #target: string | undefined;
  readonly #temp: string | undefined;
  #error: unknown;
  readonly #onError = (err: unknown): void => {
    this.#error ??= err;
  };

  private constructor(name: string, stream: Writable, target?: string, temp?: string) {
    this.name = name;
    this.#stream = stream;
    this.#target = target;
    this.#temp = temp;
    stream.on('error', this.#onError);
  }

  static stdout(stream: Writable): Output {
    return new Output('<stdout>', stream);
  }

  static async file(file: string, cwd: string): Promise<Output> {
    const target = resolve(cwd, file);
    const temp = resolve(
      dirname(target),
      `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`,
    );
    try {
      const handle = await open(temp, 'wx');
      return new Output(file, handle.createWriteStream() as unknown as Writable, target, temp);
    } catch (err) {
      throw ioError('write', file, err);
    }
  }

  async write(text: string): Promise<void> {
    if (this.#error !== undefined) throw ioError('write', this.name, this.#error);
    if (text.length === 0) return;
    if (this.#stream.write(text)) return;
    try {
      await once(this.#stream, 'drain');
    } catch (err) {
      throw ioError('write', this.name, err);
    }
  }

  /** Flushes everything; a file is then moved into place. */
  async finish(): Promise<void> {
    const stream = this.#stream;
    try {
      if (this.#temp === undefined) {
        // Standard output stays open: wait until what was written is flushed.
        await new Promise<void>((resolve, reject) => {
          stream.write('', (err) => (err ? reject(err) : resolve()));
        });
      } else {
        stream.end();
        await finished(stream);
        await rename(this.#temp, this.#target!);
      }
      if (this.#error !== undefined) throw this.#error;
    } catch (err) {
      throw ioError('write', this.name, err);
    }
  }

  /** Gives up: a temporary file is removed (what went to standard output stays). */
  async abort(): Promise<void> {
    const stream = this.#stream;
    if (this.#temp !== undefined) {
      stream.destroy();
      await finished(stream).catch(() => {});
      await unlink(this.#temp).catch(() => {});
    }
  }
}

import { TreeWriter, type WriterOptions } from '../tree-writer.js';

/**
 * A value as a stream of VarStream text, pulled from `TreeWriter.read()`:
 * a chunk (about `chunkSize`, 64 KiB by default) is produced only when the
 * consumer asks for one (high-water mark 0), so a slow consumer holds memory
 * to one chunk. Writer errors (`UNSUPPORTED_VALUE`) error the stream.
 */
export function createTreeReadable(
  value: unknown,
  options: WriterOptions = {},
): ReadableStream<string> {
  let writer: TreeWriter | undefined = new TreeWriter(value, options);
  return new ReadableStream<string>(
    {
      pull(controller) {
        const chunk = writer?.read() ?? null;
        if (chunk === null) {
          writer = undefined;
          controller.close();
        } else {
          controller.enqueue(chunk);
        }
      },
      cancel() {
        writer = undefined;
      },
    },
    { highWaterMark: 0 },
  );
}

import { Writable } from 'node:stream';
import type { WebSocket } from 'ws';

/**
 * Bytes `ws` holds of messages a client has not finished sending: the
 * fragments received so far (inflated, when the client compresses), the
 * part of a frame not complete yet, and chunks waiting to be parsed (while
 * a fragment is being inflated). Read from the receiver of `ws` 8, whose
 * fields are not public API: undefined when they are not there, and the
 * caller falls back to counting the bytes received since the last message.
 * Compressed fragments are why wire bytes are not enough: 2 KB on the wire
 * can hold 2 MB in memory.
 */
export function incomingBytes(ws: WebSocket): number | undefined {
  const receiver: unknown = Reflect.get(ws, '_receiver');
  if (!(receiver instanceof Writable)) return undefined;
  const fragments: unknown = Reflect.get(receiver, '_messageLength');
  const partial: unknown = Reflect.get(receiver, '_bufferedBytes');
  if (typeof fragments !== 'number' || typeof partial !== 'number') return undefined;
  return fragments + partial + receiver.writableLength;
}

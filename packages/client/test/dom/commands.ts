import type { BrowserCommand } from 'vitest/node';
import { ScriptedPeer } from '../helpers/scripted-peer.js';

/**
 * Node-side commands the browser tests call (vitest browser mode): a
 * scripted WebSocket peer per test, to see the exact frames a bound form
 * sends. Convergence tests use the real server instead (global-setup.ts).
 */
const peers = new Map<number, ScriptedPeer>();
let nextId = 0;

function peer(id: number): ScriptedPeer {
  const p = peers.get(id);
  if (p === undefined) throw new Error(`No peer ${id}`);
  return p;
}

export const peerStart: BrowserCommand<[]> = async () => {
  const p = await ScriptedPeer.start();
  const id = ++nextId;
  peers.set(id, p);
  return { id, url: p.url };
};

/** Frames received on connection `n`, once it has said hello. */
export const peerFrames: BrowserCommand<[id: number, n: number]> = async (_ctx, id, n) => {
  const s = await peer(id).connection(n);
  return s.received.slice();
};

export const peerSend: BrowserCommand<[id: number, n: number, text: string]> = async (
  _ctx,
  id,
  n,
  text,
) => {
  const s = await peer(id).connection(n);
  s.socket.send(text);
};

export const peerStop: BrowserCommand<[id: number]> = async (_ctx, id) => {
  await peer(id).close();
  peers.delete(id);
};

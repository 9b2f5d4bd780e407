import { WebSocket } from 'ws';

/** ws's WebSocket whose sends wait while `held` (a link that is slow one way, deterministically). */
export function holdingWebSocket() {
  const state = { held: false, queue: [] as (() => void)[] };
  class Holding extends WebSocket {
    constructor(url: string) {
      super(url);
      const send = this.send.bind(this);
      // The client sends text frames only.
      this.send = (data: string) => {
        if (state.held) state.queue.push(() => send(data));
        else send(data);
      };
    }
  }
  return {
    WebSocket: Holding,
    hold(): void {
      state.held = true;
    },
    release(): void {
      state.held = false;
      for (const send of state.queue.splice(0)) send();
    },
  };
}

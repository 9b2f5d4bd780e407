// The size script's baseline (scripts/size.mjs): the smallest useful client
// of a relay that repeats `path=value` lines to every client. It keeps the
// last value of each path, sends changes, and reconnects; it has no tree,
// no escaping, no pending changes, no presence, no text merging.
export function relay(url, onChange) {
  const values = new Map();
  let socket;
  let delay = 250;
  const open = () => {
    socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 250;
    };
    socket.onmessage = (event) => {
      for (const line of String(event.data).split('\n')) {
        const eq = line.indexOf('=');
        if (eq <= 0) continue;
        const path = line.slice(0, eq);
        values.set(path, line.slice(eq + 1));
        onChange(path, values.get(path));
      }
    };
    socket.onclose = () => {
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  open();
  return {
    get: (path) => values.get(path),
    set: (path, value) => socket.readyState === 1 && socket.send(`${path}=${value}\n`),
    close: () => {
      socket.onclose = null;
      socket.close();
    },
  };
}

// Preloaded (`node --import`) into the children that scripts/dev.mjs and
// scripts/start.mjs start. Their stdin is a pipe from the supervisor, which
// never writes to it: when it closes, the supervisor is gone (even after a
// `kill -9`, which it cannot catch), and the child stops itself the way a
// Ctrl-C would have stopped it (SIGTERM: the sync server shuts down
// gracefully), instead of staying behind holding its port.
const stdin = process.stdin;
let released = false;
const release = () => {
  if (released) return;
  released = true;
  process.kill(process.pid, 'SIGTERM');
};
stdin.on('end', release);
stdin.on('close', release);
stdin.on('error', release);
stdin.resume();
// The leash alone must not keep the process alive.
stdin.unref?.();

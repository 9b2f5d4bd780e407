// Run inside the scratch project (see install.test.ts): two Node clients of
// the installed @varstream/client, with the installed ws, on the server whose
// URL is argv[2]. Prints what the second client saw, as JSON.
import { connect } from '@varstream/client';
import { WebSocket } from 'ws';

const url = process.argv[2];
const writer = connect(url, { WebSocket });
const reader = connect(url, { WebSocket });
const seen = new Promise((resolve) => {
  reader.subscribe('form.*', (value, path) => {
    if (value === 'Alice') resolve({ path, value });
  });
});
await Promise.all([writer.whenSynced(), reader.whenSynced()]);
writer.set('form.firstname', 'Alice');
const timeout = setTimeout(() => {
  process.stderr.write('no change seen in 20 s\n');
  process.exit(1);
}, 20_000);
process.stdout.write(`${JSON.stringify(await seen)}\n`);
clearTimeout(timeout);
writer.close();
reader.close();

/**
 * A hostile or broken server (or a man in the middle) sent a snapshot
 * whose revision was missing or not a wire integer (`rev=abc`, `rev=-1`,
 * 21 digits): the client took it as revision 0, opened on it, and later
 * resumed from revision 0. It now reports a typed PROTOCOL error and
 * reconnects for a fresh snapshot, never opening on it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { connect } from '../../src/document/connect.js';
import type { ClientError, VarStreamDocument } from '../../src/index.js';
import { ScriptedPeer } from '../helpers/scripted-peer.js';
import { until } from '../helpers/wait.js';

let peer: ScriptedPeer;
let doc: VarStreamDocument | undefined;
beforeEach(async () => {
  peer = await ScriptedPeer.start();
});
afterEach(async () => {
  doc?.close();
  doc = undefined;
  await peer.close();
});

describe('a snapshot without a valid revision', () => {
  for (const rev of ['abc', '-1', '999999999999999999999', '']) {
    it(`is refused (PROTOCOL) and resynchronised, never opened at revision 0: rev=${rev}`, async () => {
      doc = connect(peer.url, { WebSocket, backoff: { baseMs: 5, maxMs: 20 } });
      const errors: ClientError[] = [];
      doc.on('error', (error) => errors.push(error));
      const opened: string[] = [];
      doc.on('status', (status) => opened.push(status));
      const first = await peer.connection(0);
      const revField = rev === '' ? '' : ` rev=${rev}`;
      first.socket.send(
        `#vs welcome v=1 doc=doc conn=c1 rev=4 access=write\n#vs snapshot${revField}\na=1\n`,
      );
      const second = await peer.connection(1);
      expect(errors.map((error) => error.code)).toEqual(['PROTOCOL']);
      expect(opened).not.toContain('open');
      expect(doc.get('a')).toBeUndefined();
      second.socket.send(
        '#vs welcome v=1 doc=doc conn=c2 rev=4 access=write\n#vs snapshot rev=4\na=2\n',
      );
      await until(() => doc!.status === 'open');
      expect(doc.rev).toBe(4);
      expect(doc.get('a')).toBe(2);
    });
  }
});

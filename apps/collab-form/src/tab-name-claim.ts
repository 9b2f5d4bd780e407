import type { Identity } from './identity.js';

type Message = { type: 'who-has' | 'taken'; name: string };

/**
 * Keeps the generated names of this browser's tabs apart, even for a tab that
 * inherited its name (a duplicated tab copies sessionStorage). On load the
 * tab asks the others (BroadcastChannel: live tabs of this browser only, so
 * a reloaded tab's previous page never answers) whether its name is theirs;
 * if one says so, `rename` is called. It answers the same question for the
 * tabs opened after it. A name the person typed is theirs in every tab.
 */
export function claimTabName(me: Identity, rename: () => void): () => void {
  if (typeof BroadcastChannel !== 'function') return () => {};
  const channel = new BroadcastChannel('collab-form:names');
  const post = (message: Message) => channel.postMessage(message);
  channel.onmessage = (event: MessageEvent<Message>) => {
    const { type, name } = event.data;
    if (me.nameChosen || name !== me.name) return;
    if (type === 'who-has') post({ type: 'taken', name });
    else if (type === 'taken') {
      rename();
      post({ type: 'who-has', name: me.name });
    }
  };
  if (!me.nameChosen) post({ type: 'who-has', name: me.name });
  return () => channel.close();
}

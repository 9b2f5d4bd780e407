import {
  changeHead,
  formatMeta,
  type Meta,
  PROTOCOL_VERSION,
  parseMeta,
  SectionReader,
} from '@varstream/protocol';
import { PathContext, Reader, Tree } from '@varstream/varstream';
import WebSocket from 'ws';
import { until } from './wait.js';

export interface ClientOptions {
  /** Speak the protocol: `?vs=1` and a hello. Default true. */
  protocol?: boolean;
  /** The hello's protocol version (default: the latest). */
  version?: number;
  client?: string;
  /** Resume from this revision. */
  rev?: number;
  token?: string;
  /** Token in the URL instead of the hello. */
  urlToken?: string;
  /** Document path, like `team/notes`. Default: `/` (the document `default`). */
  doc?: string;
  headers?: Record<string, string>;
  /** Continue from this client's tree and revision (a reconnect): sends its rev unless `rev` is given. */
  resume?: TestClient;
  /** Epoch sent in the hello (default: the resumed client's). */
  epoch?: string;
  /** Extensions announced in the hello (`splice`). */
  ext?: string;
}

/**
 * A test client: a `ws` socket that applies every frame it receives with the
 * codec to its own tree (a snapshot replaces it), and records what the
 * server said (metas, acknowledged ids, rejections, close code).
 */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: string[] = [];
  readonly metas: Meta[] = [];
  tree = new Tree({}, { limits: { maxNodes: Number.POSITIVE_INFINITY } });
  /** Highest revision applied. */
  rev = -1;
  conn: string | undefined;
  epoch: string | undefined;
  welcomed = false;
  /** Ids acknowledged: own change sections and `#vs ack` lines. */
  readonly acked = new Set<string>();
  readonly rejected = new Map<string, Meta>();
  readonly errors: Meta[] = [];
  closed: { code: number; reason: string } | undefined;
  readonly #context = new PathContext();
  /** Fills in the revisions and ids compact section heads leave out. */
  readonly #sections: SectionReader;
  readonly #version: number;
  #seq = 0;
  readonly clientId: string;

  /** The last sequence number used for change ids. */
  get seq(): number {
    return this.#seq;
  }

  constructor(baseUrl: string, options: ClientOptions = {}) {
    const protocol = options.protocol !== false;
    const resume = options.resume;
    this.#version = options.version ?? PROTOCOL_VERSION;
    this.clientId =
      options.client ?? resume?.clientId ?? `t${Math.random().toString(36).slice(2, 10)}`;
    this.#sections = new SectionReader(protocol ? this.clientId : undefined);
    if (resume !== undefined) {
      this.tree = resume.tree;
      this.rev = resume.rev;
      this.#seq = resume.seq;
    }
    const rev = options.rev ?? (resume === undefined ? undefined : resume.rev);
    const epoch = options.epoch ?? resume?.epoch;
    const url = new URL(options.doc ?? '', baseUrl);
    if (protocol) url.searchParams.set('vs', '1');
    if (options.urlToken !== undefined) url.searchParams.set('token', options.urlToken);
    this.ws = new WebSocket(url, { headers: options.headers });
    this.ws.on('open', () => {
      if (protocol) {
        this.ws.send(
          formatMeta('hello', {
            v: this.#version,
            client: this.clientId,
            rev,
            epoch,
            token: options.token,
            ext: options.ext,
          }),
        );
      }
    });
    this.ws.on('message', (data) => this.#receive(data.toString()));
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    this.ws.on('error', () => {});
  }

  get root(): unknown {
    return this.tree.root ?? {};
  }

  #receive(text: string): void {
    this.frames.push(text);
    const reader = new Reader({ strict: true, comments: true, context: this.#context });
    reader.end(text);
    for (let entry = reader.read(); entry !== null; entry = reader.read()) {
      if (entry.op === '#') {
        const meta = parseMeta(entry.text);
        if (meta === undefined) continue;
        this.metas.push(meta);
        const f = meta.fields;
        switch (meta.verb) {
          case 'welcome':
            this.conn = f.conn;
            this.epoch = f.epoch;
            this.#sections.welcome(f.conn);
            this.welcomed = true;
            break;
          case 'snapshot':
            this.tree = new Tree({}, { limits: { maxNodes: Number.POSITIVE_INFINITY } });
            this.rev = Number(f.rev);
            this.#sections.at(this.rev);
            this.#context.reset();
            break;
          case 'replay':
            if (Number(f.from) !== this.rev)
              throw new Error(`Replay from ${f.from}, I hold ${this.rev}`);
            this.#sections.at(this.rev);
            break;
          case 'change': {
            const section = this.#sections.section(f);
            if (section === undefined) throw new Error(`Section without revision: ${entry.text}`);
            const rev = section.rev;
            // Every client, plain or not, sees every revision, its own included.
            if (rev !== this.rev + 1) {
              throw new Error(`Revision ${rev} after ${this.rev}`);
            }
            this.rev = rev;
            if (section.id !== undefined && f.conn === this.conn) this.acked.add(section.id);
            break;
          }
          case 'ack':
            if (f.id !== undefined) this.acked.add(f.id);
            break;
          case 'reject':
            if (f.id !== undefined) this.rejected.set(f.id, meta);
            break;
          case 'error':
            this.errors.push(meta);
            break;
        }
        continue;
      }
      this.tree.apply(entry, this.#context);
    }
  }

  opened(): Promise<void> {
    return until(() => this.ws.readyState === WebSocket.OPEN, 'socket open');
  }

  welcome(): Promise<void> {
    return until(() => this.welcomed, 'welcome');
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** Sends a change with the next id (and a base revision for its splices); returns the id. */
  change(body: string, base?: number): string {
    const id = `${this.clientId}:${++this.#seq}`;
    this.ws.send(`${this.#changeHead(id, base)}\n${body}`);
    return id;
  }

  /** Sends several changes in one frame; returns their ids. */
  changes(bodies: readonly string[]): string[] {
    const ids: string[] = [];
    let frame = '';
    for (const body of bodies) {
      const id = `${this.clientId}:${++this.#seq}`;
      ids.push(id);
      frame += `${this.#changeHead(id)}\n${body}`;
    }
    this.ws.send(frame);
    return ids;
  }

  /** Version 2 sends `s=<seq>`, version 1 `id=<id>`. */
  #changeHead(id: string, base?: number): string {
    return this.#version >= 2
      ? changeHead(id, this.clientId, base)
      : formatMeta('change', { id, base });
  }

  /** Waits until `id` is acknowledged or rejected. */
  settled(id: string, timeoutMs?: number): Promise<void> {
    return until(() => this.acked.has(id) || this.rejected.has(id), `change ${id}`, timeoutMs);
  }

  atRev(rev: number, timeoutMs?: number): Promise<void> {
    return until(() => this.rev >= rev, `revision ${rev}`, timeoutMs);
  }

  closedWith(timeoutMs?: number): Promise<{ code: number; reason: string }> {
    return until(() => this.closed !== undefined, 'close', timeoutMs).then(() => this.closed!);
  }

  metasOf(verb: string): Meta[] {
    return this.metas.filter((meta) => meta.verb === verb);
  }

  close(): void {
    this.ws.close();
  }
}

/** Opens clients and waits for every welcome. */
export async function connectAll(url: string, count: number, options: ClientOptions = {}) {
  const clients = Array.from({ length: count }, () => new TestClient(url, options));
  await Promise.all(clients.map((c) => c.welcome()));
  return clients;
}

import { createHash, randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { ServerError } from '../errors.js';
import type { Logger } from '../log/logger.js';
import { type DocumentKeys, KEY_PREFIX, NODE_COUNTER_KEY, nodeKey } from './redis-keys.js';

/**
 * One stream entry: its sequence number and its history (the id is
 * `<seq>-<gen>`), and its fields.
 */
export interface StreamEntry {
  readonly seq: number;
  readonly gen: number;
  readonly fields: readonly string[];
}

/** A place in a document's log: entry `seq` of history `gen`. */
export interface LogPosition {
  readonly seq: number;
  readonly gen: number;
}

/** A snapshot hash as stored: the state after entry `seq` of history `gen`. */
export interface StoredSnapshot {
  readonly seq: number;
  readonly gen: number;
  readonly state: string;
}

/**
 * Appends entries (ARGV: the appender's history `gen`, their count, then for
 * each the number of its fields and the fields): the next numbers of the
 * document's counter become their ids (`<seq>-<gen>`), so ids are
 * consecutive and a reader can tell a gap (a trimmed log) from a quiet log,
 * and an entry of another history from one of its own. Returns the first
 * number. Refuses (NOSNAPSHOT) when the document's snapshot is gone (Redis
 * lost the document: flushed, evicted, restarted empty) or holds another
 * history than the appender's (the document was lost and given again by a
 * node): nothing is appended on top of a history the appender does not hold.
 */
const APPEND = `if redis.call('EXISTS', KEYS[3]) == 0 then
  return redis.error_reply('NOSNAPSHOT the document is not in Redis any more')
end
local gen = redis.call('HGET', KEYS[3], 'gen') or '0'
if gen ~= ARGV[1] then
  return redis.error_reply('NOSNAPSHOT the document in Redis is another history')
end
local count = tonumber(ARGV[2])
local first = redis.call('INCRBY', KEYS[2], count) - count + 1
local i = 3
for e = 0, count - 1 do
  local n = tonumber(ARGV[i])
  redis.call('XADD', KEYS[1], string.format('%d-%s', first + e, gen), unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
return first`;

/**
 * Lua: the revision of a replica state (its JSON's `rev`), nil when it has
 * none (a state this version cannot read: nothing is shifted, see RECOVER).
 */
const REV_OF = `local function revOf(state)
  local ok, decoded = pcall(cjson.decode, state)
  if ok and type(decoded) == 'table' and type(decoded['rev']) == 'number' then return decoded['rev'] end
  return nil
end`;

/**
 * Creates the first snapshot of a document unless it has one (a new
 * document: whatever is left of a log goes, it means nothing without the
 * snapshot), with the history number ARGV[2], marked `fresh` (a node that
 * holds the document from before Redis lost it may replace it, see
 * RECOVER), and with the revision it starts at (`startrev`: see RECOVER);
 * returns the one stored.
 */
const CREATE = `${REV_OF}
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[3])
  redis.call('SET', KEYS[2], '0')
  redis.call('HSET', KEYS[1], 'seq', '0', 'state', ARGV[1], 'gen', ARGV[2], 'fresh', '1')
  local rev = revOf(ARGV[1])
  if rev then redis.call('HSET', KEYS[1], 'startrev', string.format('%d', rev)) end
end
return redis.call('HMGET', KEYS[1], 'seq', 'state', 'gen')`;

/**
 * A node's copy given to a Redis that lost what the node applied (ARGV: the
 * history `gen` the node holds, the last entry it applied, its state, the
 * new history's number). The document starts again from the node's state
 * as a new history (new `gen`) when:
 *
 * - the snapshot is gone (Redis lost the document);
 * - it is still the node's history but the counter is behind the node
 *   (Redis restarted from older data);
 * - it is another history that Redis can still give whole (its log still
 *   starts at entry 1: nothing trimmed) and that holds less than the node: a new
 *   empty document (`fresh`, created by a node that did not know it), or
 *   the copy another node gave from the node's own history at an earlier
 *   entry (`from`, `fromseq`). Its entries (inputs: joins, frames, writes)
 *   are appended again after the node's state, then a leave for each
 *   connection they joined (their nodes follow that history: they reload
 *   and their clients join again), so that nothing acknowledged there is
 *   lost. A frame's `base=` (its splices' base revision) names a revision
 *   of the history it was written in, which starts at revision `startrev`;
 *   in the new one, that history's revisions come after the node's state
 *   (revision `rev`): each frame carried gets `o`, the shift from the one
 *   numbering to the other (added to the `o` it had if it was carried
 *   before), and the new history's `startrev` is `rev`.
 *
 * Returns 1 when it did; 0 when Redis holds all the node applied, or a
 * history the node cannot improve on. Entry fields as log-entry.ts writes
 * them (`k` kind, `c` connection, `j` join, `l` leave).
 */
const RECOVER = `${REV_OF}
local rev = revOf(ARGV[3])
local function replace(carried, shift)
  redis.call('DEL', KEYS[1], KEYS[3])
  local n = 0
  local joined = {}
  for _, entry in ipairs(carried) do
    n = n + 1
    local fields = {}
    local kind, conn
    local o = shift
    for i = 1, #entry[2] - 1, 2 do
      local name, value = entry[2][i], entry[2][i + 1]
      if name == 'k' then kind = value elseif name == 'c' then conn = value end
      if name == 'o' then
        o = (o or 0) + tonumber(value)
      else
        fields[#fields + 1] = name
        fields[#fields + 1] = value
      end
    end
    if kind == 'f' and o and o ~= 0 then
      fields[#fields + 1] = 'o'
      fields[#fields + 1] = string.format('%d', o)
    end
    redis.call('XADD', KEYS[3], n .. '-' .. ARGV[4], unpack(fields))
    if kind == 'j' and conn then joined[#joined + 1] = conn end
  end
  for _, conn in ipairs(joined) do
    n = n + 1
    redis.call('XADD', KEYS[3], n .. '-' .. ARGV[4], 'k', 'l', 'c', conn)
  end
  redis.call('SET', KEYS[2], n)
  redis.call('HSET', KEYS[1], 'seq', '0', 'state', ARGV[3], 'gen', ARGV[4], 'from', ARGV[1], 'fromseq', ARGV[2])
  if rev then redis.call('HSET', KEYS[1], 'startrev', string.format('%d', rev)) end
  return 1
end
if redis.call('EXISTS', KEYS[1]) == 0 then return replace({}) end
local gen = redis.call('HGET', KEYS[1], 'gen') or '0'
if gen == ARGV[1] then
  if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) then return 0 end
  return replace({})
end
local first = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)[1]
local whole = tonumber(redis.call('GET', KEYS[2]) or '0') == 0
  or (first ~= nil and string.match(first[1], '^1%-') ~= nil)
if not whole then return 0 end
local fresh = redis.call('HGET', KEYS[1], 'fresh') == '1'
local behind = redis.call('HGET', KEYS[1], 'from') == ARGV[1]
  and tonumber(redis.call('HGET', KEYS[1], 'fromseq')) < tonumber(ARGV[2])
if not (fresh or behind) then return 0 end
local startrev = tonumber(redis.call('HGET', KEYS[1], 'startrev'))
return replace(redis.call('XRANGE', KEYS[3], '-', '+'), startrev and rev and rev - startrev)`;

/**
 * Stores a snapshot if it is newer than the stored one, of the same history
 * (ARGV[3]), and not past the counter (a node ahead of a Redis that went
 * back stores nothing there); trims the log before the snapshot it replaces,
 * not before the new one: a node up to one interval behind the one that
 * stored it reads on without a gap (trimming at the new snapshot made every
 * node that lagged by a single entry reload the document and close its
 * clients), and the log holds at most two intervals.
 */
const SAVE = `if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if (redis.call('HGET', KEYS[1], 'gen') or '0') ~= ARGV[3] then return 0 end
local previous = redis.call('HGET', KEYS[1], 'seq')
if tonumber(previous) >= tonumber(ARGV[1]) then return 0 end
if tonumber(redis.call('GET', KEYS[3]) or '0') < tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'seq', ARGV[1], 'state', ARGV[2])
redis.call('XTRIM', KEYS[2], 'MINID', previous .. '-0')
return 1`;

interface Script {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** Longest block of one XREAD (the reader also wakes when its set of logs changes). */
const READ_BLOCK_MS = 5_000;

const SCRIPTS = {
  append: script(APPEND),
  create: script(CREATE),
  recover: script(RECOVER),
  save: script(SAVE),
};

/**
 * The node's two connections to Redis: `command` for writes and short reads
 * (no offline queue: while Redis is unreachable every write fails at once,
 * and nothing is sent later behind the client's back), and `reader` for the
 * blocking XREAD of every loaded document's log. Both reconnect by
 * themselves, forever.
 */
export class RedisLink {
  readonly #command: Redis;
  readonly #reader: Redis;
  readonly #logger: Logger;
  #wakeKey = '';
  #wakeId = '0';
  #closed = false;
  readonly #onBack: (() => void)[] = [];

  private constructor(url: string, logger: Logger, timeoutMs: number) {
    this.#logger = logger;
    const common = {
      lazyConnect: true,
      retryStrategy: (times: number) => Math.min(50 * times, 1_000),
      // TCP keepalive: a silent network is noticed (and the connection remade) in time.
      keepAlive: 5_000,
    };
    this.#command = new Redis(url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: timeoutMs,
      connectionName: 'varstream',
    });
    this.#reader = new Redis(url, {
      ...common,
      maxRetriesPerRequest: 0,
      // Longer than the longest block of a read.
      commandTimeout: timeoutMs + READ_BLOCK_MS,
      connectionName: 'varstream-reader',
    });
    for (const [name, client] of [
      ['command', this.#command],
      ['reader', this.#reader],
    ] as const) {
      let down = false;
      client.on('error', (err: Error) => {
        if (down) return;
        down = true;
        logger.warn('redis unreachable', { connection: name, error: err.message });
      });
      client.on('ready', () => {
        if (down) {
          logger.warn('redis reachable again', { connection: name });
          if (client === this.#command) for (const listener of this.#onBack) listener();
        }
        down = false;
      });
    }
  }

  /** Connects both connections; throws `UNAVAILABLE` when Redis cannot be reached now. */
  static async connect(url: string, logger: Logger, timeoutMs: number): Promise<RedisLink> {
    const link = new RedisLink(url, logger, timeoutMs);
    try {
      await Promise.all([link.#command.connect(), link.#reader.connect()]);
    } catch (err) {
      link.close();
      throw new ServerError('UNAVAILABLE', `Cannot reach Redis at ${redact(url)}`, { cause: err });
    }
    return link;
  }

  /** Calls `listener` each time the command connection is back after Redis was unreachable. */
  onBack(listener: () => void): void {
    this.#onBack.push(listener);
  }

  /** True while the command connection is up (writes can be tried). */
  get ready(): boolean {
    return this.#command.status === 'ready';
  }

  /**
   * A new node id (`n1-<tag>`, `n2-<tag>`, ...): the counter makes it unique
   * while Redis keeps its data, the tag (24 random bits) when Redis lost
   * the counter under running nodes (the ids it gives start again at `n1`).
   */
  async newNodeId(): Promise<string> {
    const n = await this.#command.incr(NODE_COUNTER_KEY);
    const id = `n${n.toString(36)}-${randomBytes(3).toString('base64url')}`;
    this.#wakeKey = `${KEY_PREFIX}wake:${id}`;
    return id;
  }

  /**
   * Appends entries to history `gen`, in order; resolves with the first
   * one's number once Redis holds them all.
   */
  async append(
    keys: DocumentKeys,
    gen: number,
    entries: readonly (readonly string[])[],
  ): Promise<number> {
    const args = [String(gen), String(entries.length)];
    for (const fields of entries) args.push(String(fields.length), ...fields);
    const seq = await this.#run(SCRIPTS.append, [keys.log, keys.seq, keys.snapshot], args);
    return Number(seq);
  }

  /** The stored snapshot, created from `initial` (at entry 0 of a new history) when there is none. */
  async createSnapshot(keys: DocumentKeys, initial: string): Promise<StoredSnapshot> {
    const reply = await this.#run(
      SCRIPTS.create,
      [keys.snapshot, keys.seq, keys.log],
      [initial, String(newGen())],
    );
    return parseSnapshotReply(reply);
  }

  /**
   * Gives Redis `state` (after entry `applied` of history `gen`) as a new
   * history when Redis lost the document, went back behind `applied`, or
   * holds a history that has less (see RECOVER); true when it did.
   */
  async recover(keys: DocumentKeys, gen: number, applied: number, state: string): Promise<boolean> {
    const reply = await this.#run(
      SCRIPTS.recover,
      [keys.snapshot, keys.seq, keys.log],
      [String(gen), String(applied), state, String(newGen())],
    );
    return Number(reply) === 1;
  }

  /** Where Redis holds the document: its history and last entry; undefined when it lost it. */
  async position(keys: DocumentKeys): Promise<{ gen: number; last: number } | undefined> {
    const [[seq, gen], last] = await Promise.all([
      this.#command.hmget(keys.snapshot, 'seq', 'gen'),
      this.#command.get(keys.seq),
    ]);
    if (seq === null || seq === undefined) return undefined;
    return { gen: Number(gen ?? 0), last: Number(last ?? 0) };
  }

  /** The entry of the stored snapshot, if any. */
  async loadSnapshotSeq(keys: DocumentKeys): Promise<number | undefined> {
    const seq = await this.#command.hget(keys.snapshot, 'seq');
    return seq === null ? undefined : Number(seq);
  }

  /**
   * Stores a snapshot of history `gen` (if newer than the stored one, of the
   * same history, and not past the counter) and trims the log before it.
   */
  async saveSnapshot(
    keys: DocumentKeys,
    gen: number,
    seq: number,
    state: string,
  ): Promise<boolean> {
    const saved = await this.#run(
      SCRIPTS.save,
      [keys.snapshot, keys.log, keys.seq],
      [String(seq), state, String(gen)],
    );
    return Number(saved) === 1;
  }

  /** Takes a lease (SET NX PX): true when this node holds it now. */
  async lease(key: string, holder: string, ms: number): Promise<boolean> {
    return (await this.#command.set(key, holder, 'PX', ms, 'NX')) === 'OK';
  }

  /** Gives a lease back. */
  async release(key: string): Promise<void> {
    await this.#command.del(key);
  }

  /** Entries after `afterSeq`, at most `count`. */
  async range(keys: DocumentKeys, after: LogPosition, count: number): Promise<StreamEntry[]> {
    const reply = await this.#command.xrange(keys.log, `(${idOf(after)}`, '+', 'COUNT', count);
    return reply.map(([id, fields]) => entryOf(id, fields));
  }

  /**
   * Blocks until one of the logs has entries after the given position (or
   * `wake()` is called, or `blockMs` passes); returns them by key.
   */
  async read(
    positions: ReadonlyMap<string, LogPosition>,
    count: number,
  ): Promise<Map<string, StreamEntry[]>> {
    const keys = [...positions.keys()];
    const ids = [...positions.values()].map(idOf);
    keys.push(this.#wakeKey);
    ids.push(this.#wakeId);
    const reply: unknown = await this.#reader.call(
      'XREAD',
      'COUNT',
      count,
      'BLOCK',
      READ_BLOCK_MS,
      'STREAMS',
      ...keys,
      ...ids,
    );
    const out = new Map<string, StreamEntry[]>();
    if (!Array.isArray(reply)) return out;
    for (const stream of reply as [string, [string, string[]][]][]) {
      const [key, entries] = stream;
      if (key === this.#wakeKey) {
        const last = entries[entries.length - 1];
        if (last !== undefined) this.#wakeId = last[0];
        continue;
      }
      out.set(
        key,
        entries.map(([id, fields]) => entryOf(id, fields)),
      );
    }
    return out;
  }

  /** Ends the reader's current block (the set of logs to read changed). */
  async wake(): Promise<void> {
    await this.#command
      .multi()
      .xadd(this.#wakeKey, 'MAXLEN', '1', '*', 'w', '1')
      .pexpire(this.#wakeKey, 60_000)
      .exec();
  }

  /** Refreshes this node's liveness key. */
  async heartbeat(node: string, ttlMs: number): Promise<void> {
    await this.#command.set(nodeKey(node), '1', 'PX', ttlMs);
  }

  /** The nodes among `nodes` whose liveness key exists. */
  async alive(nodes: readonly string[]): Promise<Set<string>> {
    const alive = new Set<string>();
    if (nodes.length === 0) return alive;
    const values = await this.#command.mget(nodes.map(nodeKey));
    values.forEach((value, i) => {
      if (value !== null) alive.add(nodes[i]!);
    });
    return alive;
  }

  async #run(s: Script, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    try {
      return await this.#command.evalsha(s.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      return this.#command.eval(s.lua, keys.length, ...keys, ...args);
    }
  }

  /** Leaves this node's keys to expire and disconnects. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#command.disconnect();
    this.#reader.disconnect();
    this.#logger.debug('redis disconnected');
  }
}

function entryOf(id: string, fields: string[]): StreamEntry {
  const dash = id.indexOf('-');
  return { seq: Number(id.slice(0, dash)), gen: Number(id.slice(dash + 1)), fields };
}

/** The stream id of a position. */
function idOf(position: LogPosition): string {
  return `${position.seq}-${position.gen}`;
}

/**
 * A new history's number: random (Redis may have lost any counter), below
 * 2^48 so that it stays exact in a JavaScript number and in Lua's; never 0
 * (the history of snapshots stored before histories were numbered).
 */
function newGen(): number {
  return randomBytes(6).readUIntBE(0, 6) + 1;
}

function parseSnapshotReply(reply: unknown): StoredSnapshot {
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || typeof reply[1] !== 'string') {
    throw new ServerError('SNAPSHOT_CORRUPT', 'Redis returned no snapshot');
  }
  // A snapshot stored before histories were numbered has no `gen`: history 0.
  const gen = typeof reply[2] === 'string' ? Number(reply[2]) : 0;
  return { seq: Number(reply[0]), gen, state: reply[1] };
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the given URL';
  }
}

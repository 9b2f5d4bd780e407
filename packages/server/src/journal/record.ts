import { crc32 } from 'node:zlib';
import { formatMeta, parseMeta, parseWireInteger, Verb } from '@varstream/protocol';

/**
 * A journal record is a change section with two more fields: `len`, the
 * byte length of the body, and `crc`, the CRC-32 of the header (up to
 * `len=..`) followed by the body. The header stays a `#vs change` comment,
 * so a journal is plain VarStream: any reader can apply it.
 *
 * ```
 * #vs change rev=41 conn=c7.k3x9 id=k7Qx2:17 len=17 crc=5d1f09a3
 * form.email=a@b.c
 * ```
 */
export interface JournalRecord {
  readonly rev: number;
  readonly conn: string | undefined;
  readonly id: string | undefined;
  /** Whose id `id` is (`o=`, see `idOwner`): absent for writers without scope. */
  readonly owner?: string | undefined;
  readonly body: string;
}

/** A record read back, with the byte offset just past it. */
export interface StoredRecord extends JournalRecord {
  readonly end: number;
}

/** One record as text (header line and body). */
export function encodeRecord(record: JournalRecord): string {
  const len = Buffer.byteLength(record.body, 'utf8');
  const owner = record.owner === '' ? undefined : record.owner;
  const head = formatMeta(Verb.CHANGE, {
    rev: record.rev,
    conn: record.conn,
    id: record.id,
    o: owner,
    len,
  });
  const crc = crc32(record.body, crc32(head));
  return `${head} crc=${hex(crc)}\n${record.body}`;
}

/** The first line of a journal file: which document and which history (epoch) it belongs to. */
export function encodeJournalHeader(doc: string, epoch: string): string {
  const head = formatMeta(Verb.JOURNAL, { v: 1, doc, epoch });
  return `${head} crc=${hex(crc32(head))}\n`;
}

function hex(crc: number): string {
  return crc.toString(16).padStart(8, '0');
}

export interface DecodedJournal {
  /** From the file's `#vs journal` line, if it has one. */
  readonly epoch: string | undefined;
  /** Bytes of that line (0 without one). */
  readonly headerBytes: number;
  readonly records: StoredRecord[];
  /** Bytes of the valid records; anything after is a torn or corrupt tail. */
  readonly validBytes: number;
  /** Why decoding stopped before the end, if it did. */
  readonly tail: string | undefined;
}

const MAX_HEADER = 4096;
const NEWLINE = 10;

/** Decodes records until the end or the first one that is incomplete or fails its CRC. */
export function decodeJournal(data: Buffer): DecodedJournal {
  const records: StoredRecord[] = [];
  let pos = 0;
  let tail: string | undefined;
  let epoch: string | undefined;
  if (data.subarray(0, 12).toString('latin1') === '#vs journal ') {
    const eol = data.indexOf(NEWLINE);
    if (eol === -1 || eol > MAX_HEADER) {
      return { epoch, headerBytes: 0, records, validBytes: 0, tail: 'incomplete header' };
    }
    const line = data.toString('utf8', 0, eol);
    const cut = line.lastIndexOf(' crc=');
    if (cut === -1 || line.slice(cut + 5) !== hex(crc32(line.slice(0, cut)))) {
      return { epoch, headerBytes: 0, records, validBytes: 0, tail: 'bad journal header' };
    }
    epoch = parseMeta(line)?.fields.epoch;
    pos = eol + 1;
  }
  const headerBytes = pos;
  while (pos < data.length) {
    const eol = data.indexOf(NEWLINE, pos);
    if (eol === -1 || eol - pos > MAX_HEADER) {
      tail = 'incomplete header';
      break;
    }
    const line = data.toString('utf8', pos, eol);
    const cut = line.lastIndexOf(' crc=');
    const meta = cut === -1 ? undefined : parseMeta(line);
    const rev = intField(meta?.fields.rev);
    const len = intField(meta?.fields.len);
    const crcText = meta?.fields.crc;
    if (
      meta === undefined ||
      meta.verb !== Verb.CHANGE ||
      rev === undefined ||
      len === undefined ||
      crcText === undefined ||
      !/^[0-9a-f]{8}$/.test(crcText)
    ) {
      tail = 'bad header';
      break;
    }
    const start = eol + 1;
    const end = start + len;
    if (end > data.length) {
      tail = 'incomplete body';
      break;
    }
    const body = data.subarray(start, end);
    const crc = crc32(body, crc32(line.slice(0, cut)));
    if (crc !== Number.parseInt(crcText, 16)) {
      tail = 'CRC mismatch';
      break;
    }
    records.push({
      rev,
      conn: meta.fields.conn,
      id: meta.fields.id,
      owner: meta.fields.o,
      body: body.toString('utf8'),
      end,
    });
    pos = end;
  }
  return { epoch, headerBytes, records, validBytes: pos, tail };
}

function intField(text: string | undefined): number | undefined {
  return parseWireInteger(text);
}

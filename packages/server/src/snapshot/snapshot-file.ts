import { crc32 } from 'node:zlib';
import { formatMeta, isWireInteger, parseMeta, Verb } from '@varstream/protocol';
import type { AppliedId } from '../document/dedup.js';
import { ServerError } from '../errors.js';

/**
 * A snapshot file is VarStream text:
 *
 * ```
 * #vs snapshot v=1 doc=default epoch=Xq3_b9Zk rev=42 len=1234 crc=0a1b2c3d
 * #vs applied id=k7Qx2:17 rev=41
 * form.firstname=Alice
 * ...
 * ```
 *
 * The header's `len` and `crc` cover the body (every line after it); the
 * `#vs applied` lines carry the recent change ids for duplicate detection.
 */
export interface SnapshotContent {
  readonly doc: string;
  readonly epoch: string;
  readonly rev: number;
  /** The tree, as `stringify` writes it. */
  readonly text: string;
  readonly applied: readonly AppliedId[];
}

export function encodeSnapshot(content: SnapshotContent): Buffer {
  let body = '';
  for (const { id, rev, owner } of content.applied)
    body += `${formatMeta(Verb.APPLIED, { id, rev, o: owner })}\n`;
  body += content.text;
  if (body.length > 0 && !body.endsWith('\n')) body += '\n';
  const len = Buffer.byteLength(body, 'utf8');
  const head = formatMeta(Verb.SNAPSHOT, {
    v: 1,
    doc: content.doc,
    epoch: content.epoch,
    rev: content.rev,
    len,
  });
  const crc = crc32(body, crc32(head));
  return Buffer.from(`${head} crc=${crc.toString(16).padStart(8, '0')}\n${body}`, 'utf8');
}

export interface DecodedSnapshot {
  readonly doc: string | undefined;
  readonly epoch: string | undefined;
  readonly rev: number;
  /** Everything after the header: `#vs applied` lines and the tree. */
  readonly body: string;
}

export function decodeSnapshot(data: Buffer, path: string): DecodedSnapshot {
  const eol = data.indexOf(10);
  const corrupt = (why: string) =>
    new ServerError('SNAPSHOT_CORRUPT', `Snapshot ${path} is corrupt: ${why}`);
  if (eol === -1) throw corrupt('no header');
  const line = data.toString('utf8', 0, eol);
  const meta = parseMeta(line);
  const cut = line.lastIndexOf(' crc=');
  if (meta === undefined || meta.verb !== Verb.SNAPSHOT || cut === -1) throw corrupt('bad header');
  const { rev, len, crc } = meta.fields;
  if (!isWireInteger(rev)) throw corrupt('bad rev');
  if (!isWireInteger(len)) throw corrupt('bad len');
  if (crc === undefined || !/^[0-9a-f]{8}$/.test(crc)) throw corrupt('bad crc');
  const body = data.subarray(eol + 1);
  if (body.length !== Number(len)) throw corrupt(`expected ${len} bytes, found ${body.length}`);
  if (crc32(body, crc32(line.slice(0, cut))) !== Number.parseInt(crc, 16)) {
    throw corrupt('CRC mismatch');
  }
  return {
    doc: meta.fields.doc,
    epoch: meta.fields.epoch,
    rev: Number(rev),
    body: body.toString('utf8'),
  };
}

import { formatMeta } from '@varstream/client/protocol';

/** One accepted change: a revision of a document. */
export interface Revision {
  readonly rev: number;
  /** The writer's connection; undefined for server-side writes (stdin, `write()`). */
  readonly conn: string | undefined;
  /** The writer's change id, when it gave one. */
  readonly id: string | undefined;
  /** Canonical statements, every line ending with a line break; the first path absolute. */
  readonly body: string;
  /** The change section as sent: `#vs change rev=.. conn=.. id=..` then the body. */
  readonly text: string;
  /**
   * When the change holds text splices: the section for clients that announced the
   * splice extension (`~=` lines kept). `body` and `text` then write each splice as
   * the resulting value (`=`), for every other reader, the journal included.
   */
  readonly spliceText?: string | undefined;
}

export function makeRevision(
  rev: number,
  conn: string | undefined,
  id: string | undefined,
  body: string,
  spliceBody?: string,
): Revision {
  const head = `${formatMeta('change', { rev, conn, id })}\n`;
  const revision: Revision = { rev, conn, id, body, text: head + body };
  return spliceBody === undefined ? revision : { ...revision, spliceText: head + spliceBody };
}

import { formatMeta, sectionHead, Verb } from '@varstream/protocol';

/** A change section's compact heads (see `@varstream/protocol` sections), line breaks included. */
export interface LiveHeads {
  /** With `rev`: a section that does not follow the revision the client holds (never in a live stream). */
  readonly first: string;
  /** Without `rev`: a section right after the revision the client holds. */
  readonly next: string;
}

/** One accepted change: a revision of a document. */
export interface Revision {
  readonly rev: number;
  /** The writer's connection; undefined for server-side writes (stdin, `write()`). */
  readonly conn: string | undefined;
  /** The writer's change id, when it gave one. */
  readonly id: string | undefined;
  /** Canonical statements, every line ending with a line break; the first path absolute. */
  readonly body: string;
  /** The change section in full (journal, replays, version 1 clients): `#vs change rev=.. conn=.. id=..` then the body. */
  readonly text: string;
  /**
   * When the change holds text splices: the body for clients that announced the
   * splice extension (`~=` lines kept). `body` and `text` then write each splice as
   * the resulting value (`=`), for every other reader, the journal included.
   */
  readonly spliceBody?: string | undefined;
  /** `text` with `spliceBody`, when there is one. */
  readonly spliceText?: string | undefined;
  /**
   * When the change holds text splices: the body the journal keeps (splices
   * into long strings kept as `~=`, see `Transaction.journalBody`).
   * Otherwise `body`.
   */
  readonly journalBody?: string | undefined;
  /** Whose change id `id` is (see `idOwner`): '' or absent for writers without scope. */
  readonly owner?: string | undefined;
  /** The compact heads of the section, for live frames (the body follows). */
  readonly live: LiveHeads;
  /** About how many characters `text` holds (it may not be written yet: see `makeRevision`). */
  readonly length: number;
}

/**
 * `live.id`: the `id` field of the compact heads (undefined: left out, the
 * author implies it; '' says "no id"). Default: the id itself.
 */
export function makeRevision(
  rev: number,
  conn: string | undefined,
  id: string | undefined,
  body:
    | string
    | {
        readonly text: () => string;
        readonly length: number;
        readonly journal: () => string;
      },
  spliceBody?: string,
  live: { readonly id: string | undefined } = { id },
  owner?: string,
): Revision {
  const head = `${formatMeta(Verb.CHANGE, { rev, conn, id })}\n`;
  const heads = {
    first: `${sectionHead(rev, conn, live.id)}\n`,
    next: `${sectionHead(undefined, conn, live.id)}\n`,
  };
  if (typeof body === 'string') {
    const revision: Revision = {
      rev,
      conn,
      id,
      body,
      text: head + body,
      owner,
      live: heads,
      length: head.length + body.length,
    };
    return spliceBody === undefined
      ? revision
      : { ...revision, spliceBody, spliceText: head + spliceBody };
  }
  // The plain and journal bodies of a change with splices are written when read.
  const plain = body.text;
  const journal = body.journal;
  return {
    rev,
    conn,
    id,
    get body() {
      return plain();
    },
    get text() {
      return head + plain();
    },
    spliceBody,
    spliceText: spliceBody === undefined ? undefined : head + spliceBody,
    get journalBody() {
      return journal();
    },
    owner,
    live: heads,
    length: head.length + body.length,
  };
}

import {
  type Comment,
  type Entry,
  type Limits,
  PathContext,
  Reader,
  type Statement,
} from '@varstream/varstream';

/** Where a `StatementReader` sends what it reads, in order. */
export interface EntryHandler {
  /** A statement, its `^` expanded against the reader's context. */
  statement(statement: Statement): void;
  /** A `#` line. Without this handler, `#` lines are skipped unread. */
  comment?: ((comment: Comment) => void) | undefined;
  /**
   * A statement that could not be read, once it is consumed: returns true to
   * skip it and go on, false to stop reading. Without this handler, the
   * error is thrown.
   */
  error?: ((error: unknown) => boolean) | undefined;
}

/**
 * The server's one loop over VarStream text: client frames, server-side
 * writes, stdin, initial states, snapshots and journal records, and Redis
 * log entries are all read here. Strict: a statement that cannot be read is
 * reported (once it is consumed) and the next one is read, so one bad line
 * never hides the rest. Text may come in chunks (`write`, then `end`).
 */
export class StatementReader {
  readonly #reader: Reader;
  readonly #handler: EntryHandler;

  /** `context`: the `^` context, shared with whatever applies the statements. */
  constructor(limits: Partial<Limits>, handler: EntryHandler, context = new PathContext()) {
    this.#handler = handler;
    this.#reader = new Reader({
      strict: true,
      comments: handler.comment !== undefined,
      context,
      limits,
    });
  }

  /** Reads what `chunk` completes. */
  write(chunk: string | Uint8Array): void {
    this.#reader.write(chunk);
    this.#drain();
  }

  /** Reads the rest: `chunk`, then whatever was left incomplete. */
  end(chunk?: string | Uint8Array): void {
    this.#reader.end(chunk);
    this.#drain();
  }

  #drain(): void {
    const reader = this.#reader;
    const handler = this.#handler;
    for (;;) {
      let entry: Entry | null;
      try {
        entry = reader.read();
      } catch (err) {
        if (handler.error === undefined) throw err;
        if (!handler.error(err)) return;
        continue;
      }
      if (entry === null) return;
      if (entry.op === '#') handler.comment?.(entry);
      else handler.statement(entry);
    }
  }
}

/** Every statement of `text`, read strictly: the first error is thrown. */
export function readStatements(
  text: string,
  limits: Partial<Limits>,
  context?: PathContext,
): Statement[] {
  const statements: Statement[] = [];
  new StatementReader(
    limits,
    { statement: (statement) => statements.push(statement) },
    context,
  ).end(text);
  return statements;
}

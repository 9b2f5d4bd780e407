import { PathContext, type Statement } from '@varstream/varstream';
import type { Logger } from '../log/logger.js';
import { codecLimits } from '../options/codec-limits.js';
import { StatementReader } from '../reading/statement-reader.js';
import type { VarStreamServer } from '../server/varstream-server.js';

export interface StdioBridgeOptions {
  /** The document stdin writes to and stdout follows. Default `default`. */
  doc?: string;
  input?: NodeJS.ReadableStream;
  output?: NodeJS.WritableStream;
  logger: Logger;
}

/**
 * What the 2013 server did with its terminal, done right: every revision of
 * the document is echoed to `output` as VarStream (its change section), and
 * VarStream read from `input` is applied to the document (one revision per
 * chunk; a statement that fails is skipped and logged, the rest applies).
 * `^` in the input follows the input's own previous statement.
 */
export function startStdioBridge(server: VarStreamServer, options: StdioBridgeOptions): () => void {
  const doc = options.doc ?? 'default';
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const { logger } = options;
  const unsubscribe = server.onRevision((event) => {
    if (event.doc === doc) output.write(event.text);
  });
  const context = new PathContext();
  let statements: Statement[] = [];
  const reader = new StatementReader(
    codecLimits(server.limits),
    {
      statement: (statement) => statements.push(statement),
      error: (error) => {
        logger.warn('stdin: statement skipped', { error });
        return true;
      },
    },
    context,
  );
  // Writes run one after the other, so that revisions keep the input's order.
  let queue: Promise<unknown> = Promise.resolve();
  const apply = (batch: Statement[]) => {
    queue = queue
      .then(() => server.writeStatements(doc, batch, { context, atomic: false }))
      .then(
        ({ errors }) => {
          for (const error of errors) logger.warn('stdin: statement skipped', { error });
        },
        (error: unknown) => logger.warn('stdin: write failed', { error }),
      );
  };
  /** What the chunk completed: one revision. */
  const flush = () => {
    if (statements.length === 0) return;
    apply(statements);
    statements = [];
  };
  const onData = (chunk: Buffer | string) => {
    reader.write(typeof chunk === 'string' ? chunk : new Uint8Array(chunk));
    flush();
  };
  const onEnd = () => {
    reader.end();
    flush();
  };
  input.on('data', onData);
  input.on('end', onEnd);
  return () => {
    unsubscribe();
    input.off('data', onData);
    input.off('end', onEnd);
  };
}

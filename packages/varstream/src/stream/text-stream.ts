import { VarStreamError } from '../errors.js';
import type { Comment } from '../statement.js';
import { StatementWriter, type WritableStatement } from '../statement-writer.js';

/**
 * Statements in, VarStream lines out (one string per statement, line break
 * included), paths shortened with `^`/`^N` when that is shorter
 * (`StatementWriter`). `Comment` entries (from a reader with
 * `comments: true`) are written back as `#` lines.
 */
export function createTextStream(): TransformStream<WritableStatement | Comment, string> {
  const writer = new StatementWriter();
  return new TransformStream<WritableStatement | Comment, string>({
    transform(statement, controller) {
      if (statement.op === '#') {
        const text = (statement as Comment).text;
        if (/[\r\n]/.test(text)) {
          throw new VarStreamError('BAD_SEGMENT', 'A comment cannot hold a line break', {
            text,
          });
        }
        controller.enqueue(`#${text}\n`);
        return;
      }
      controller.enqueue(writer.write(statement as WritableStatement));
    },
  });
}

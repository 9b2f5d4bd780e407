import { Reader } from '../../src/reader.js';
import type { Statement } from '../../src/statement.js';

/** The one statement `line` holds, read strictly (a test's input). */
export function statement(line: string): Statement {
  const reader = new Reader({ strict: true });
  reader.end(`${line}\n`);
  const entry = reader.read();
  if (entry === null || entry.op === '#') throw new Error(`no statement in ${line}`);
  return entry;
}

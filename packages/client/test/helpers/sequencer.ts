import { canonicalize, formatStatement, type Statement, Tree } from '@varstream/varstream';
import { parseServerFrame } from '../../src/sync/server-frame.js';
import type { Incoming } from '../../src/view/replica.js';

/**
 * For unit tests of the replica only: the sequencing rule of PROTOCOL.md
 * (apply each change atomically in arrival order, number it, broadcast its
 * canonical statements) computed with the codec. Integration tests use the
 * real server instead.
 */
export class Sequencer {
  readonly tree = new Tree(undefined, { limits: { maxNodes: Number.POSITIVE_INFINITY } });
  rev = 0;

  /** Applies a change; returns the section text, or undefined when it is rejected. */
  accept(id: string | undefined, statements: readonly Statement[]): string | undefined {
    this.tree.begin();
    let text = '';
    try {
      for (const statement of statements)
        text += formatStatement(canonicalize(this.tree.apply(statement)));
    } catch {
      this.tree.rollback();
      return undefined;
    }
    this.tree.commit();
    this.rev++;
    return `#vs change rev=${this.rev} conn=c1${id === undefined ? '' : ` id=${id}`}\n${text}`;
  }
}

/** Reads server text into what the replica consumes. */
export function incoming(text: string): Incoming[] {
  const out: Incoming[] = [];
  for (const m of parseServerFrame(text).messages) {
    if (m.verb === 'change') {
      out.push({
        kind: 'change',
        rev: Number(m.fields.rev),
        id: m.fields.id,
        statements: m.statements,
      });
    } else if (m.verb === 'snapshot') {
      out.push({ kind: 'snapshot', rev: Number(m.fields.rev), statements: m.statements });
    } else if (m.verb === 'reject') {
      out.push({ kind: 'reject', id: m.fields.id! });
    } else if (m.verb === 'ack') {
      out.push({ kind: 'ack', id: m.fields.id! });
    }
  }
  return out;
}

/**
 * `LegacyReader`: varstream 0.3.2's `VarStreamReader(scope, prop, options)`
 * with the same tree results, made linear, safe and UTF-8 correct.
 */
import { type Limits, resolveLimits } from '../defaults.js';
import { VarStreamError, type VarStreamErrorCode, type VarStreamErrorDetails } from '../errors.js';
import { type DecodedChunk, Utf8Decoder } from '../utf8.js';
import { LegacyApplier } from './apply.js';
import type { LegacyContext } from './context.js';
import { LegacyMachine } from './machine.js';
import { MSG_NO_ROOT_OBJECT } from './messages.js';
import { isContainer } from './own.js';
import { LegacyResolver } from './resolve.js';

export interface LegacyReaderOptions {
  /** 0.3.2's STRICT_MODE: throw on the first error instead of skipping the statement. */
  strict?: boolean;
  limits?: Partial<Limits>;
  /** Tolerant mode: called with each error, after which reading goes on as in 0.3.2. */
  onError?: (error: VarStreamError) => void;
}

const MSG_BAD_UTF8 = 'Invalid UTF-8 byte sequence.';

export class LegacyReader {
  private readonly machine: LegacyMachine;
  /** Every U+FFFD it inserts is reported where it is, as 0.3.2's `Buffer#toString` inserts them. */
  private readonly decoder = new Utf8Decoder('replace', { locateEach: true });
  private status: 'open' | 'failed' | 'ended' = 'open';

  /**
   * Reads into `scope[prop]`. Statements apply when their line break arrives;
   * a last line without one is never applied (as in 0.3.2).
   */
  constructor(scope: object, prop: string, options: LegacyReaderOptions = {}) {
    if (!isContainer(scope)) {
      throw new VarStreamError('ROOT_NOT_CONTAINER', MSG_NO_ROOT_OBJECT);
    }
    const strict = options.strict === true;
    const onError = options.onError;
    const limits = resolveLimits(options.limits);
    let nodes = 0;
    const ctx: LegacyContext = {
      limits,
      fail(code: VarStreamErrorCode, reason: string, details?: VarStreamErrorDetails): void {
        if (!strict && onError === undefined) return;
        const error = new VarStreamError(code, reason, details);
        if (strict) throw error;
        onError?.(error);
      },
      countNode(): boolean {
        if (nodes >= limits.maxNodes) return false;
        nodes++;
        return true;
      },
    };
    const resolver = new LegacyResolver(ctx, { root: scope, prop: String(prop) });
    this.machine = new LegacyMachine(ctx, resolver, new LegacyApplier(ctx));
  }

  /** Reads a chunk: text as is, bytes as a UTF-8 stream (characters may span chunks). */
  write(chunk: string | Uint8Array): void {
    this.guard(() => {
      if (typeof chunk === 'string') {
        if (this.decoder.hasPending) this.feed(this.decoder.flush());
        this.machine.feed(chunk);
      } else {
        this.feed(this.decoder.decode(chunk));
      }
    });
  }

  /** Ends the input. An unterminated last line stays unapplied, as in 0.3.2. */
  end(): void {
    this.guard(() => this.feed(this.decoder.flush()));
    this.status = 'ended';
  }

  private guard(run: () => void): void {
    if (this.status !== 'open') {
      throw new VarStreamError(
        'STREAM_STATE',
        this.status === 'ended'
          ? 'The reader has ended.'
          : 'The reader stopped at an error; create a new one.',
      );
    }
    try {
      run();
    } catch (error) {
      this.status = 'failed';
      throw error;
    }
  }

  private feed({ text, replaced }: DecodedChunk): void {
    let from = 0;
    for (const at of replaced) {
      this.machine.feed(text.slice(from, at));
      from = at;
      this.machine.failHere('BAD_UTF8', MSG_BAD_UTF8);
    }
    this.machine.feed(text.slice(from));
  }
}

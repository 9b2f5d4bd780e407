/**
 * `@varstream/client/protocol`: kept for compatibility, the wire grammar now
 * lives in `@varstream/protocol` (import it from there).
 */
export * from '@varstream/protocol';

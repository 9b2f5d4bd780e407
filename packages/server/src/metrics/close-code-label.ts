import { CloseCode } from '@varstream/protocol';

/** The codes of RFC 6455 section 7.4.1 (1004 is reserved and never sent). */
const STANDARD = [
  1000, 1001, 1002, 1003, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015,
];

const KNOWN: ReadonlySet<number> = new Set<number>([...STANDARD, ...Object.values(CloseCode)]);

/**
 * The `code` label of a close: the code itself when the protocol or RFC 6455
 * defines it, else `other`. A client chooses the code of the closes it starts
 * (3000 to 4999 are all valid): as a label it would make one time series per
 * value it cares to send.
 */
export function closeCodeLabel(code: number): string {
  return KNOWN.has(code) ? String(code) : 'other';
}

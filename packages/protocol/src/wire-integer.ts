/**
 * A number field of the protocol (a revision, a sequence number, a length,
 * a `base`): 1 to 15 decimal digits, so that it is exact as a JavaScript
 * number. PROTOCOL.md section 3.
 */
export const WIRE_INTEGER_SOURCE = '[0-9]{1,15}';

const WIRE_INTEGER = /* @__PURE__ */ new RegExp(`^${WIRE_INTEGER_SOURCE}$`);

/** True when `text` is a number field (1 to 15 decimal digits). */
export function isWireInteger(text: string | undefined): text is string {
  return text !== undefined && WIRE_INTEGER.test(text);
}

/** The number a field writes; undefined when it is missing or not 1 to 15 decimal digits. */
export function parseWireInteger(text: string | undefined): number | undefined {
  return isWireInteger(text) ? Number(text) : undefined;
}

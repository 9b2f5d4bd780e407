/** The protocol version this package speaks (see PROTOCOL.md 2.2). */
export const PROTOCOL_VERSION = 2;
/** Every version a server of this package accepts in a hello: 1 (full section heads) and 2 (compact). */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2];

/**
 * The text-splice extension (PROTOCOL.md 3.6): a client lists it in its
 * hello (`ext=splice`) to send and receive `~=` statements; the welcome says
 * `ext=splice` when the server speaks it.
 */
export const EXT_SPLICE = 'splice';

/**
 * The characters of the protocol's names, client ids and epochs alike
 * (PROTOCOL.md 2.1 and 2.3): 1 to 64 of `A-Z a-z 0-9 _ -`, as a pattern
 * source without anchors.
 */
export const ID_TOKEN_SOURCE = '[A-Za-z0-9_-]{1,64}';

import {
  CloseCode,
  type CloseCodeValue,
  isClientId,
  isEpoch,
  isWireInteger,
  PROTOCOL_VERSIONS,
  parseMeta,
  Verb,
} from '@varstream/protocol';

export interface Hello {
  /** The protocol version the client speaks (one of PROTOCOL_VERSIONS). */
  readonly version: number;
  readonly client: string;
  /** The revision the client holds, to resume. */
  readonly rev: number | undefined;
  /** The epoch of that revision (from a welcome). */
  readonly epoch: string | undefined;
  readonly token: string | undefined;
  /** Protocol extensions the client announced (`ext=splice`). */
  readonly extensions: readonly string[];
}

export type HelloResult =
  | { readonly ok: true; readonly hello: Hello }
  | { readonly ok: false; readonly code: CloseCodeValue; readonly reason: string };

/**
 * Reads a protocol client's first frame: exactly one `#vs hello` line
 * (a final line break allowed). See PROTOCOL.md section 2.2.
 */
export function parseHello(text: string): HelloResult {
  const line = text.endsWith('\r\n')
    ? text.slice(0, -2)
    : text.endsWith('\n')
      ? text.slice(0, -1)
      : text;
  if (/[\r\n]/.test(line)) return bad('The hello frame must be one #vs hello line');
  const meta = parseMeta(line);
  if (meta === undefined || meta.verb !== Verb.HELLO) return bad('Expected #vs hello');
  const { v, client, rev, token, epoch, ext } = meta.fields;
  const version = PROTOCOL_VERSIONS.find((known) => v === String(known));
  if (version === undefined) {
    return {
      ok: false,
      code: CloseCode.UNSUPPORTED_VERSION,
      reason: `Protocol version ${v ?? '(none)'} not supported; this server speaks v=${PROTOCOL_VERSIONS.join(', v=')}`,
    };
  }
  if (client === undefined || !isClientId(client)) return bad('Bad or missing client id');
  if (rev !== undefined && !isWireInteger(rev)) return bad('Bad rev');
  if (epoch !== undefined && !isEpoch(epoch)) return bad('Bad epoch');
  return {
    ok: true,
    hello: {
      version,
      client,
      rev: rev === undefined ? undefined : Number(rev),
      epoch,
      token,
      extensions: ext === undefined ? [] : ext.split(','),
    },
  };
}

function bad(reason: string): HelloResult {
  return { ok: false, code: CloseCode.BAD_REQUEST, reason };
}

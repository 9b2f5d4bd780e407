const CHANGE_ID = /^([A-Za-z0-9_-]{1,64}):([0-9]{1,15})$/;

export interface ChangeId {
  readonly client: string;
  readonly seq: number;
}

/** Parses `<client>:<seq>`; undefined when malformed. */
export function parseChangeId(id: string): ChangeId | undefined {
  const match = CHANGE_ID.exec(id);
  if (match === null) return undefined;
  return { client: match[1]!, seq: Number(match[2]) };
}

const CLIENT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isClientId(value: string): boolean {
  return CLIENT_ID.test(value);
}

/** This browser's display name and colour, kept in localStorage. */
export interface Identity {
  name: string;
  color: string;
  /** The colour was picked by the person, not at random. */
  colorChosen: boolean;
}

const NAME_KEY = 'collab-form:name';
const COLOR_KEY = 'collab-form:color';
const CHOSEN_KEY = 'collab-form:color-chosen';

const ADJECTIVES = [
  'Brave',
  'Calm',
  'Clever',
  'Curious',
  'Gentle',
  'Happy',
  'Lucky',
  'Quick',
  'Swift',
  'Witty',
];
const ANIMALS = [
  'Badger',
  'Falcon',
  'Fox',
  'Heron',
  'Lynx',
  'Otter',
  'Owl',
  'Panda',
  'Puffin',
  'Wren',
];

/** Colours that keep white text readable (contrast ≥ 4.5:1). */
export const PALETTE = [
  '#c0392b',
  '#2f5bd3',
  '#117a65',
  '#a04000',
  '#7d3c98',
  '#1e7b34',
  '#b0306a',
  '#00727f',
];

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private mode or storage full: the identity just won't survive a reload.
  }
}

export function loadIdentity(): Identity {
  let name = read(NAME_KEY)?.trim();
  if (!name) write(NAME_KEY, (name = `${pick(ADJECTIVES)} ${pick(ANIMALS)}`));
  let color = read(COLOR_KEY) ?? '';
  if (!isColor(color)) write(COLOR_KEY, (color = pick(PALETTE)));
  return { name, color, colorChosen: read(CHOSEN_KEY) === '1' };
}

export function saveIdentity(identity: Identity): void {
  write(NAME_KEY, identity.name);
  write(COLOR_KEY, identity.color);
  write(CHOSEN_KEY, identity.colorChosen ? '1' : '0');
}

/** A palette colour nobody in `taken` uses (undefined if all are). */
export function freeColor(taken: ReadonlySet<string>): string | undefined {
  const free = PALETTE.filter((c) => !taken.has(c));
  return free.length > 0 ? pick(free) : undefined;
}

/** Presence comes from other clients: only `#rrggbb` colours are used. */
export function isColor(value: unknown): value is string {
  return typeof value === 'string' && /^#[0-9a-f]{6}$/i.test(value);
}

/** Black or white, whichever reads better on `color` (WCAG relative luminance). */
export function textColorOn(color: string): string {
  const channel = (i: number) => {
    const c = Number.parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  // Contrast with white: 1.05 / (L + 0.05); with black: (L + 0.05) / 0.05.
  return 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.05 ? '#ffffff' : '#111111';
}

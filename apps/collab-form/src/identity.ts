/**
 * This tab's display name and colour. A name the person typed is kept in
 * localStorage (every tab of the browser is that person); a generated one in
 * sessionStorage, so that two tabs of one browser show up as two people.
 */
export interface Identity {
  name: string;
  /** The name was typed by the person, not generated. */
  nameChosen: boolean;
  /** The name was generated for this page load (not kept from an earlier load of the tab). */
  nameNew: boolean;
  color: string;
  /** The colour was picked by the person, not at random. */
  colorChosen: boolean;
}

const NAME_KEY = 'collab-form:name';
/** In sessionStorage: this tab's generated name (kept across reloads of the tab). */
const GENERATED_NAME_KEY = 'collab-form:generated-name';
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

type Store = 'localStorage' | 'sessionStorage';

function read(key: string, store: Store = 'localStorage'): string | null {
  try {
    return globalThis[store].getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string, store: Store = 'localStorage'): void {
  try {
    globalThis[store].setItem(key, value);
  } catch {
    // Private mode or storage full: the identity just won't survive a reload.
  }
}

function generatedName(): string {
  return `${pick(ADJECTIVES)} ${pick(ANIMALS)}`;
}

export function loadIdentity(): Identity {
  const chosen = read(NAME_KEY)?.trim();
  let name = chosen || read(GENERATED_NAME_KEY, 'sessionStorage')?.trim();
  const nameNew = !name;
  if (!name) write(GENERATED_NAME_KEY, (name = generatedName()), 'sessionStorage');
  let color = read(COLOR_KEY) ?? '';
  if (!isColor(color)) write(COLOR_KEY, (color = pick(PALETTE)));
  return {
    name,
    nameChosen: Boolean(chosen),
    nameNew,
    color,
    colorChosen: read(CHOSEN_KEY) === '1',
  };
}

export function saveIdentity(identity: Identity): void {
  if (identity.nameChosen) write(NAME_KEY, identity.name);
  else write(GENERATED_NAME_KEY, identity.name, 'sessionStorage');
  write(COLOR_KEY, identity.color);
  write(CHOSEN_KEY, identity.colorChosen ? '1' : '0');
}

/** A generated name nobody in `taken` uses (undefined if all are). */
export function freeName(taken: ReadonlySet<string>): string | undefined {
  const free = ADJECTIVES.flatMap((a) => ANIMALS.map((b) => `${a} ${b}`)).filter(
    (n) => !taken.has(n),
  );
  return free.length > 0 ? pick(free) : undefined;
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

import type { Segment } from '@varstream/varstream';
import { pathText, toPath } from '../paths/path-input.js';

export type FieldElement = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;

/** How a group of elements maps to one value. */
export type FieldKind =
  | 'text'
  | 'number'
  | 'checkbox'
  | 'checkboxes'
  | 'radios'
  | 'select'
  | 'select-multiple';

export interface FieldGroup {
  readonly kind: FieldKind;
  readonly path: readonly Segment[];
  /** The path as text, as presence `focus` carries it. */
  readonly pathText: string;
  readonly elements: FieldElement[];
}

const SKIPPED = new Set(['submit', 'button', 'reset', 'image', 'file']);

function fieldName(el: FieldElement): string {
  return el.getAttribute('name') || el.id;
}

/** The path under `base` that a field name addresses: parsed as a VarStream path, else one key. */
function relativePath(name: string): readonly Segment[] {
  try {
    const path = toPath(name);
    return path.length > 0 ? path : [name];
  } catch {
    return [name];
  }
}

function kindOf(el: FieldElement, count: number): FieldKind {
  if (el instanceof HTMLSelectElement) return el.multiple ? 'select-multiple' : 'select';
  if (el instanceof HTMLInputElement) {
    if (el.type === 'checkbox') return count > 1 ? 'checkboxes' : 'checkbox';
    if (el.type === 'radio') return 'radios';
    if (el.type === 'number' || el.type === 'range') return 'number';
  }
  return 'text';
}

/** The bound fields of `container` (and the container itself if it is one), grouped by path. */
export function findFields(container: Element, base: readonly Segment[]): FieldGroup[] {
  const elements: FieldElement[] = [];
  if (container.matches('input, textarea, select')) elements.push(container as FieldElement);
  for (const el of container.querySelectorAll<FieldElement>('input, textarea, select'))
    elements.push(el);
  const byName = new Map<string, FieldElement[]>();
  for (const el of elements) {
    if (el instanceof HTMLInputElement && SKIPPED.has(el.type)) continue;
    const name = fieldName(el);
    if (name === '') continue;
    let list = byName.get(name);
    if (list === undefined) byName.set(name, (list = []));
    list.push(el);
  }
  const groups: FieldGroup[] = [];
  for (const [name, list] of byName) {
    const path = [...base, ...relativePath(name)];
    groups.push({
      kind: kindOf(list[0]!, list.length),
      path,
      pathText: pathText(path),
      elements: list,
    });
  }
  return groups;
}

/** The value a group holds now, as it is written to the document. */
export function readField(group: FieldGroup): unknown {
  const els = group.elements;
  const first = els[0]!;
  switch (group.kind) {
    case 'text':
      return first.value;
    case 'number':
      return first.value === '' ? undefined : Number(first.value);
    case 'checkbox':
      return (first as HTMLInputElement).checked;
    case 'checkboxes':
      return (els as HTMLInputElement[]).filter((el) => el.checked).map((el) => el.value);
    case 'radios':
      return (els as HTMLInputElement[]).find((el) => el.checked)?.value;
    case 'select':
      return first.value;
    case 'select-multiple':
      return [...(first as HTMLSelectElement).selectedOptions].map((o) => o.value);
  }
}

/** Text shown for a document value in a text field. */
export function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/** Shows a document value in a group (text fields: see `bind-form.ts`, which keeps the caret). */
export function writeField(group: FieldGroup, value: unknown): void {
  const els = group.elements;
  switch (group.kind) {
    case 'text':
    case 'number':
    case 'select':
      for (const el of els) if (el.value !== textOf(value)) el.value = textOf(value);
      return;
    case 'checkbox':
      (els[0] as HTMLInputElement).checked = value === true || value === 'true';
      return;
    case 'checkboxes': {
      const values = Array.isArray(value) ? value.map(String) : [];
      for (const el of els as HTMLInputElement[]) el.checked = values.includes(el.value);
      return;
    }
    case 'radios':
      for (const el of els as HTMLInputElement[])
        el.checked = value !== undefined && el.value === String(value);
      return;
    case 'select-multiple': {
      const values = Array.isArray(value) ? value.map(String) : [];
      for (const o of (els[0] as HTMLSelectElement).options) o.selected = values.includes(o.value);
      return;
    }
  }
}

/** Equality of field values (scalars, arrays of scalars). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  }
  return Object.is(a, b);
}

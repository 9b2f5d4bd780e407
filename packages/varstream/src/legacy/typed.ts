/**
 * Typing of a right value, as 0.3.2 does it: `null`, `true`, `false`, `NaN`
 * and the texts matching `^-?([0-9]+(\.[0-9]+)?|Infinity)$` become values;
 * everything else stays a string (`1e5`, `.5`, `+5`, `0x1F`, `True`, ` 1`).
 */

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** True when `text` matches `^-?([0-9]+(\.[0-9]+)?|Infinity)$`. */
export function isLegacyNumber(text: string): boolean {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i >= n) return false;
  if (!isDigit(text.charCodeAt(i))) return text.length - i === 8 && text.endsWith('Infinity');
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  if (i === n) return true;
  if (text.charCodeAt(i) !== 46 /* . */ || i + 1 === n) return false;
  for (i += 1; i < n; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

export function typedValue(text: string): string | number | boolean | null {
  switch (text) {
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'NaN':
      return Number.NaN;
  }
  return isLegacyNumber(text) ? Number(text) : text;
}

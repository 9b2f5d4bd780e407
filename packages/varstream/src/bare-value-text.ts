const BACKSLASH = 92;

/**
 * The text of a bare value in `[start, end)` of `text` that holds a
 * backslash: `\\` resolved to `\`, and each line ended by an odd number of
 * backslashes continued on the next (joined with `\n`). `lineEnds` holds the
 * (end, next start) pairs of the value's physical lines, as the reader found
 * them. Any other backslash is kept as it is (`C:\temp`, `\o/`), as 0.3.2
 * reads it: its writer never escaped them, so its files hold them.
 */
export function bareValueText(
  text: string,
  start: number,
  end: number,
  lineEnds: readonly number[],
): string {
  let out = '';
  let lineStart = start;
  for (let i = 0; ; i += 2) {
    const lineEnd = i < lineEnds.length ? lineEnds[i]! : end;
    let k = lineEnd - 1;
    while (k >= lineStart && text.charCodeAt(k) === BACKSLASH) k--;
    const continued = ((lineEnd - 1 - k) & 1) === 1;
    out += unescapeLine(text, lineStart, continued ? lineEnd - 1 : lineEnd);
    if (!continued) break;
    out += '\n';
    if (i >= lineEnds.length) break; // continued at the end of input: an empty last line
    lineStart = lineEnds[i + 1]!;
  }
  return out;
}

/** Resolves `\\` in `[from, to)`; any other backslash is kept. */
function unescapeLine(text: string, from: number, to: number): string {
  let i = text.indexOf('\\', from);
  if (i === -1 || i >= to) return text.slice(from, to);
  let out = '';
  let last = from;
  while (i !== -1 && i < to) {
    if (i + 1 < to && text.charCodeAt(i + 1) === BACKSLASH) {
      out += text.slice(last, i + 1);
      last = i + 2;
      i = text.indexOf('\\', i + 2);
    } else {
      i = text.indexOf('\\', i + 1);
    }
  }
  return out + text.slice(last, to);
}

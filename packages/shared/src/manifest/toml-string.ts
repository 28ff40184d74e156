// SPDX-License-Identifier: Apache-2.0
// Decodes the text of one TOML string token while remembering where each character came from, so that an
// offset inside a parsed value (e.g. a custom-policy error) can be mapped back to the file.

export type StringKind = 'basic' | 'literal' | 'multiline-basic' | 'multiline-literal';

export interface DecodedString {
  readonly value: string;
  /** For each UTF-16 unit of `value`, its offset in the source text. */
  readonly sources: readonly number[];
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  b: '\b',
  t: '\t',
  n: '\n',
  f: '\f',
  r: '\r',
  e: '\u001b',
  '"': '"',
  '\\': '\\',
};

/** Decodes `text[start, end)`, the content of a string token of the given kind. */
export function decodeTomlString(
  text: string,
  start: number,
  end: number,
  kind: StringKind,
): DecodedString {
  let i = start;
  const multiline = kind === 'multiline-basic' || kind === 'multiline-literal';
  // A newline right after the opening delimiter is not part of the value.
  if (multiline) {
    if (text.startsWith('\r\n', i)) i += 2;
    else if (text[i] === '\n') i += 1;
  }
  let value = '';
  const sources: number[] = [];
  const push = (chars: string, from: number): void => {
    value += chars;
    for (let k = 0; k < chars.length; k++) sources.push(from);
  };
  const basic = kind === 'basic' || kind === 'multiline-basic';
  while (i < end) {
    const c = text[i] ?? '';
    if (!basic || c !== '\\') {
      push(c, i);
      i++;
      continue;
    }
    const next = text[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      push(simple, i);
      i += 2;
    } else if (next === 'u' || next === 'U' || next === 'x') {
      const digits = next === 'u' ? 4 : next === 'U' ? 8 : 2;
      const cp = Number.parseInt(text.slice(i + 2, i + 2 + digits), 16);
      push(Number.isNaN(cp) || cp > 0x10ffff ? '' : String.fromCodePoint(cp), i);
      i += 2 + digits;
    } else {
      // Line-ending backslash: drop it and all whitespace and newlines that follow.
      i++;
      while (i < end && ' \t\r\n'.includes(text[i] ?? '')) i++;
    }
  }
  return { value, sources };
}

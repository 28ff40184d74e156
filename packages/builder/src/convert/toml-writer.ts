// SPDX-License-Identifier: Apache-2.0
// Just enough TOML 1.0 writing for a generated manifest: strings, keys, numbers, booleans, arrays and
// inline tables. Every string goes through `tomlString`, so no input can break out of a value.

/** A value the writer can emit; objects keep their insertion order. */
export type TomlValue =
  string | number | boolean | readonly TomlValue[] | { readonly [key: string]: TomlValue };

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\f': '\\f',
  '\r': '\\r',
};

/** A TOML basic string: quotes, backslashes and control characters escaped, lone surrogates replaced. */
export function tomlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const short = SHORT_ESCAPES[ch];
    const cp = ch.codePointAt(0) ?? 0;
    if (short !== undefined) out += short;
    else if (cp < 0x20 || cp === 0x7f)
      out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
    // A lone surrogate is not a Unicode scalar value, which TOML strings must consist of.
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\uFFFD';
    else out += ch;
  }
  return `${out}"`;
}

/** A key: bare when it can be, quoted otherwise. */
export function tomlKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : tomlString(key);
}

/** A value on one line (arrays and inline tables included). */
export function tomlInline(value: TomlValue): string {
  if (typeof value === 'string') return tomlString(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`internal: not a TOML integer: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (isArray(value)) return `[${value.map(tomlInline).join(', ')}]`;
  const entries = Object.entries(value).map(([k, v]) => `${tomlKey(k)} = ${tomlInline(v)}`);
  return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
}

/**
 * An array, on one line when it fits in `width` characters after `prefix`, else one element per line
 * (four spaces of indent, trailing comma), as in the examples.
 */
export function tomlArray(prefix: string, items: readonly TomlValue[], width = 100): string {
  const oneLine = `${prefix}${tomlInline(items)}`;
  if (oneLine.length <= width || items.length === 0) return oneLine;
  return `${prefix}[\n${items.map((i) => `    ${tomlInline(i)},\n`).join('')}]`;
}

/** A `#` comment line: TOML comments may not hold control characters other than tab. */
export function tomlComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `# ${text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ')}`;
}

function isArray(value: TomlValue): value is readonly TomlValue[] {
  return Array.isArray(value);
}

// SPDX-License-Identifier: Apache-2.0

/** A package URL, components percent-decoded (purl spec). */
export interface PackageUrl {
  /** Lowercase. */
  readonly type: string;
  readonly namespace?: string;
  readonly name: string;
  readonly version?: string;
  readonly qualifiers: Readonly<Record<string, string>>;
  readonly subpath?: string;
}

export type ParsePurlResult =
  { readonly ok: true; readonly purl: PackageUrl } | { readonly ok: false; readonly error: string };

const TYPE = /^[A-Za-z.+-][A-Za-z0-9.+-]*$/;
const QUALIFIER_KEY = /^[A-Za-z.\-_][A-Za-z0-9.\-_]*$/;
// Characters never allowed raw in a purl: whitespace and controls, and those a URI never holds
// unencoded.
const FORBIDDEN_PRINTABLE = new Set([...'"<>\\^`{|}']);

function hasForbiddenChar(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x20 || c === 0x7f || /\s/u.test(ch) || FORBIDDEN_PRINTABLE.has(ch)) return true;
  }
  return false;
}

/**
 * Parses `pkg:type/namespace/name@version?qualifiers#subpath` (the purl specification): scheme
 * `pkg:`, a type starting with a letter, a non-empty name, well-formed percent-escapes, qualifier
 * keys `[A-Za-z.-_][A-Za-z0-9.-_]*` with non-empty values and no repeated key. As the spec allows,
 * `:` and `/` may appear literally in qualifier values (`download_url=https://…`).
 */
export function parsePurl(text: string): ParsePurlResult {
  const fail = (error: string): ParsePurlResult => ({ ok: false, error });
  if (hasForbiddenChar(text))
    return fail('contains whitespace or a character that must be encoded');
  if (!text.startsWith('pkg:')) return fail('does not start with "pkg:"');
  let rest = text.slice(4).replace(/^\/+/, '');

  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    const raw = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
    const segments = raw.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
    const decoded = decodeAll(segments);
    if (decoded === null) return fail('malformed percent-escape in the subpath');
    if (decoded.length > 0) subpath = decoded.join('/');
  }

  const qualifiers: Record<string, string> = {};
  const question = rest.indexOf('?');
  if (question >= 0) {
    const raw = rest.slice(question + 1);
    rest = rest.slice(0, question);
    for (const pair of raw.split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) return fail(`qualifier ${JSON.stringify(pair)} is not key=value`);
      const key = pair.slice(0, eq).toLowerCase();
      if (!QUALIFIER_KEY.test(key)) return fail(`invalid qualifier key ${JSON.stringify(key)}`);
      if (Object.hasOwn(qualifiers, key)) return fail(`qualifier ${key} is repeated`);
      const value = decode(pair.slice(eq + 1));
      if (value === null) return fail(`malformed percent-escape in qualifier ${key}`);
      if (value === '') return fail(`qualifier ${key} has an empty value`);
      Object.defineProperty(qualifiers, key, { value, enumerable: true, writable: true });
    }
  }

  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const decoded = decode(rest.slice(at + 1));
    if (decoded === null) return fail('malformed percent-escape in the version');
    if (decoded === '') return fail('empty version after "@"');
    version = decoded;
    rest = rest.slice(0, at);
  }

  const parts = rest.replace(/\/+$/, '').split('/');
  const type = parts.shift() ?? '';
  if (!TYPE.test(type)) return fail(`invalid type ${JSON.stringify(type)}`);
  const rawName = parts.pop();
  if (rawName === undefined || rawName === '') return fail('no name');
  const name = decode(rawName);
  if (name === null) return fail('malformed percent-escape in the name');
  const namespaceSegments = decodeAll(parts.filter((s) => s !== ''));
  if (namespaceSegments === null) return fail('malformed percent-escape in the namespace');
  if (namespaceSegments.some((s) => s.includes('/'))) {
    return fail('a namespace segment contains an encoded "/"');
  }

  return {
    ok: true,
    purl: {
      type: type.toLowerCase(),
      ...(namespaceSegments.length > 0 ? { namespace: namespaceSegments.join('/') } : {}),
      name,
      ...(version !== undefined ? { version } : {}),
      qualifiers,
      ...(subpath !== undefined ? { subpath } : {}),
    },
  };
}

function decode(text: string): string | null {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) return null;
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function decodeAll(segments: readonly string[]): string[] | null {
  const out: string[] = [];
  for (const s of segments) {
    const d = decode(s);
    if (d === null) return null;
    out.push(d);
  }
  return out;
}

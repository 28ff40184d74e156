// SPDX-License-Identifier: Apache-2.0
// Declared licence of a Debian package from `usr/share/doc/<pkg>/copyright` (02 §5.1).
import { parseControl } from './deb822.js';
import type { ControlParagraph } from './deb822.js';
import { SPDX_EXCEPTION_IDS, SPDX_LICENSE_IDS } from './spdx-list.js';

export interface ExtractedLicense {
  /** `LicenseRef-…` */
  readonly id: string;
  readonly text: string;
}

export interface DeclaredLicense {
  /** An SPDX expression, or `NOASSERTION`. */
  readonly license: string;
  /** Every `LicenseRef-` id `license` uses, with its text. */
  readonly extractedLicenses: readonly ExtractedLicense[];
}

const NOASSERTION: DeclaredLicense = { license: 'NOASSERTION', extractedLicenses: [] };

const LICENSES = new Map(SPDX_LICENSE_IDS.map((id) => [id.toLowerCase(), id]));
const EXCEPTIONS = new Map(SPDX_EXCEPTION_IDS.map((id) => [id.toLowerCase(), id]));

/** Whether a copyright file is machine-readable (DEP-5): its first paragraph's `Format` names copyright-format/1.0. */
export function isDep5(paragraphs: readonly ControlParagraph[]): boolean {
  return /copyright-format\/1\.0/.test(paragraphs[0]?.first('Format') ?? '');
}

/**
 * The declared licence of a package (02 §5.1): for a DEP-5 file, the `License` short name of the
 * `Files: *` paragraph (else of the first `Files` paragraph) mapped to SPDX; `NOASSERTION` for a
 * missing, unparsable or non-DEP-5 file. Pure.
 */
export function licenseFromCopyright(text: string | undefined): DeclaredLicense {
  if (text === undefined) return NOASSERTION;
  let paragraphs: ControlParagraph[];
  try {
    paragraphs = parseControl(text, { comments: true });
  } catch {
    return NOASSERTION;
  }
  if (!isDep5(paragraphs)) return NOASSERTION;
  const files = paragraphs.filter((p) => p.has('Files'));
  const chosen = files.find((p) => p.first('Files').split(/\s+/).includes('*')) ?? files[0];
  const field = chosen?.get('License');
  if (chosen === undefined || field === undefined) return NOASSERTION;
  const name = firstLine(field);
  if (name === '') return NOASSERTION;
  const standalone = new Map<string, string>();
  for (const p of paragraphs.slice(1)) {
    if (p.has('Files')) continue;
    const value = p.get('License');
    if (value === undefined) continue;
    const key = firstLine(value).toLowerCase();
    if (!standalone.has(key)) standalone.set(key, licenseText(value));
  }
  // A Files paragraph that carries the text of its single licence is that licence's text too.
  const inline = licenseText(field);
  const textOf = (licenseName: string): string => {
    const own = standalone.get(licenseName.toLowerCase());
    if (own !== undefined && own !== '') return own;
    if (licenseName.toLowerCase() === name.toLowerCase() && inline !== '') return inline;
    return licenseName;
  };
  return mapDebianLicense(name, textOf);
}

/**
 * Maps a DEP-5 licence short-name expression to SPDX. Per name: an SPDX id (any case) → itself;
 * `GPL`/`LGPL`/`AGPL`/`GFDL` with a version → `-or-later` when followed by `+`, else `-only`
 * (`.0` added when missing); `Expat` → `MIT`; `BSD-<n>-clause` → `BSD-<n>-Clause`; anything else →
 * `LicenseRef-<name, [^A-Za-z0-9.-] → ->` whose text `textOf` supplies. `or`/`and` become
 * `OR`/`AND`, commas group (`A or B, and C` → `(A OR B) AND C`), and `X with Y exception` becomes
 * `X WITH <SPDX exception id>` when Y names one, else the whole term is a `LicenseRef-`.
 */
export function mapDebianLicense(
  expression: string,
  textOf: (name: string) => string = (n) => n,
): DeclaredLicense {
  const extracted = new Map<string, string>();
  const ref = (name: string): string => {
    const id = `LicenseRef-${name.replace(/[^A-Za-z0-9.-]/g, '-')}`;
    if (!extracted.has(id)) extracted.set(id, textOf(name));
    return id;
  };
  const segments = expression
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  let result = '';
  let resultCompound = false;
  for (const [index, segment] of segments.entries()) {
    const words = segment.split(/\s+/);
    let op: 'AND' | 'OR' | undefined;
    if (index > 0 && /^(and|or)$/i.test(words[0] ?? '')) {
      op = (words.shift() ?? '').toUpperCase() as 'AND' | 'OR';
    }
    const mapped = mapSegment(words, ref);
    if (mapped.text === '') continue;
    if (result === '') {
      result = mapped.text;
      resultCompound = mapped.compound;
      continue;
    }
    const left = resultCompound ? `(${result})` : result;
    const right = mapped.compound ? `(${mapped.text})` : mapped.text;
    result = `${left} ${op ?? 'AND'} ${right}`;
    resultCompound = true;
  }
  if (result === '') return NOASSERTION;
  return {
    license: result,
    extractedLicenses: [...extracted].map(([id, text]) => ({ id, text })),
  };
}

function mapSegment(
  words: string[],
  ref: (name: string) => string,
): { text: string; compound: boolean } {
  const parts: string[] = [];
  let term: string[] = [];
  const flush = () => {
    if (term.length > 0) parts.push(mapTerm(term, ref));
    term = [];
  };
  for (const w of words) {
    if (/^(and|or)$/i.test(w) && term.length > 0 && !inWith(term)) {
      flush();
      parts.push(w.toUpperCase());
    } else {
      term.push(w);
    }
  }
  flush();
  // A trailing operator (`GPL-2+ or`) has nothing to join.
  while (parts.length > 0 && /^(AND|OR)$/.test(parts[parts.length - 1] ?? '')) parts.pop();
  return { text: parts.join(' '), compound: parts.length > 1 };
}

/** True while a `with … exception` clause is still open (its words may include `and`). */
function inWith(term: readonly string[]): boolean {
  const w = term.findIndex((t) => t.toLowerCase() === 'with');
  return w !== -1 && !term.slice(w + 1).some((t) => t.toLowerCase() === 'exception');
}

function mapTerm(words: readonly string[], ref: (name: string) => string): string {
  const name = words.join(' ');
  const withAt = words.findIndex((t) => t.toLowerCase() === 'with');
  if (withAt === -1) return words.length === 1 ? mapName(name, ref) : ref(name);
  const base = words.slice(0, withAt).join(' ');
  const rest = words.slice(withAt + 1);
  if (rest[rest.length - 1]?.toLowerCase() === 'exception') rest.pop();
  const baseId = withAt === 1 ? mapName(base, () => '') : '';
  const exception = exceptionId(rest.join('-'), baseId);
  if (baseId === '' || exception === undefined) return ref(name);
  return `${baseId} WITH ${exception}`;
}

/** One licence name; `ref` is called only for names that are not SPDX ids. */
function mapName(name: string, ref: (name: string) => string): string {
  const gnu = /^(GPL|LGPL|AGPL|GFDL)-?([0-9]+(?:\.[0-9]+)*)(\+)?$/i.exec(name);
  if (gnu !== null) {
    const family = (gnu[1] ?? '').toUpperCase();
    const version = (gnu[2] ?? '').includes('.') ? (gnu[2] ?? '') : `${gnu[2] ?? ''}.0`;
    return `${family}-${version}-${gnu[3] === '+' ? 'or-later' : 'only'}`;
  }
  if (/^expat$/i.test(name)) return 'MIT';
  const bsd = /^BSD-([0-9])-clause$/i.exec(name);
  if (bsd !== null) return `BSD-${bsd[1] ?? ''}-Clause`;
  const spdx = LICENSES.get(name.toLowerCase());
  if (spdx !== undefined) return spdx;
  return ref(name);
}

/**
 * An SPDX exception id for the words of `with <words> exception`: the id itself, `<words>-exception`,
 * or the single `<words>-exception-*` id (when several, the one whose version matches the licence's
 * major version, `Autoconf` with GPL-3.0 → `Autoconf-exception-3.0`).
 */
function exceptionId(words: string, baseId: string): string | undefined {
  const key = words.toLowerCase();
  if (key === '') return undefined;
  const exact = EXCEPTIONS.get(key) ?? EXCEPTIONS.get(`${key}-exception`);
  if (exact !== undefined) return exact;
  const prefixed = [...EXCEPTIONS.entries()].filter(([k]) => k.startsWith(`${key}-exception-`));
  if (prefixed.length === 1) return prefixed[0]?.[1];
  const major = /-([0-9]+)\./.exec(baseId)?.[1];
  if (major === undefined) return undefined;
  const versioned = prefixed.filter(([k]) => k === `${key}-exception-${major}.0`);
  return versioned.length === 1 ? versioned[0]?.[1] : undefined;
}

function firstLine(value: string): string {
  const nl = value.indexOf('\n');
  return (nl === -1 ? value : value.slice(0, nl)).trim();
}

/** The text of a `License` field: continuation lines without their first blank, ` .` → empty line. */
function licenseText(value: string): string {
  const nl = value.indexOf('\n');
  if (nl === -1) return '';
  return value
    .slice(nl + 1)
    .split('\n')
    .map((l) => l.replace(/^[ \t]/, ''))
    .map((l) => (l.trim() === '.' ? '' : l))
    .join('\n')
    .trim();
}

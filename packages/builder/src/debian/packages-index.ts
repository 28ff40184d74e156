// SPDX-License-Identifier: Apache-2.0
// Reading apt's verified `Packages` indexes (one stanza per binary package version).
import { parseControl } from './deb822.js';
import type { ControlParagraph } from './deb822.js';

/** What the lock needs from a `Packages` stanza. */
export interface IndexEntry {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** Pool path relative to the mirror root. */
  readonly filename: string;
  readonly size: number;
  /** Lowercase hex. */
  readonly sha256: string;
  readonly source: string;
  readonly sourceVersion: string;
  readonly multiArch: string;
}

/**
 * Parses the stanzas of a `Packages` text whose package name passes `want`; the others are skipped
 * without being parsed (the main index of a suite is ~50 MB and we need a few hundred stanzas).
 */
export function scanPackagesIndex(
  text: string,
  want: (name: string) => boolean,
): ControlParagraph[] {
  const out: ControlParagraph[] = [];
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    // Skip blank lines between stanzas.
    while (pos < n && (text.charCodeAt(pos) === 10 || text.charCodeAt(pos) === 13)) pos++;
    if (pos >= n) break;
    let end = text.indexOf('\n\n', pos);
    if (end === -1) end = n;
    const lineEnd = text.indexOf('\n', pos);
    const firstLine = text.slice(pos, lineEnd === -1 || lineEnd > end ? end : lineEnd);
    const name = /^Package:\s*(\S+)/i.exec(firstLine)?.[1];
    if (name === undefined) {
      // Not the usual layout (Package first): parse the stanza to find its name.
      for (const p of parseControl(text.slice(pos, end))) {
        if (want(p.first('Package'))) out.push(p);
      }
    } else if (want(name)) {
      out.push(...parseControl(text.slice(pos, end)));
    }
    pos = end + 2;
  }
  return out;
}

/** Every distinct package name of a `Packages` text (for "did you mean"). */
export function packageNamesOf(text: string): Set<string> {
  const names = new Set<string>();
  const re = /^Package:[ \t]*(\S+)/gim;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) names.add(m[1] ?? '');
  return names;
}

/** The lock-relevant fields of a stanza; undefined when one is missing or malformed. */
export function indexEntryOf(p: ControlParagraph): IndexEntry | undefined {
  const name = p.first('Package');
  const version = p.first('Version');
  const architecture = p.first('Architecture');
  const filename = p.first('Filename');
  const sizeText = p.first('Size');
  const sha256 = p.first('SHA256').toLowerCase();
  if (name === '' || version === '' || architecture === '' || filename === '') return undefined;
  if (!/^[0-9]+$/.test(sizeText) || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  const { source, sourceVersion } = sourceOf(p.first('Source'), name, version);
  return {
    name,
    version,
    architecture,
    filename,
    size: Number(sizeText),
    sha256,
    source,
    sourceVersion,
    multiArch: p.first('Multi-Arch'),
  };
}

/**
 * `Source: x (v)` → `{x, v}`; `Source: x` → `{x, version}`; absent → the binary's own name and
 * version (Debian policy §5.6.1).
 */
export function sourceOf(
  field: string,
  name: string,
  version: string,
): { source: string; sourceVersion: string } {
  const m = /^(\S+)(?:\s*\(\s*([^)\s]+)\s*\))?$/.exec(field.trim());
  if (m === null) return { source: name, sourceVersion: version };
  return { source: m[1] ?? name, sourceVersion: m[2] ?? version };
}

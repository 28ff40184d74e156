// SPDX-License-Identifier: Apache-2.0
// dpkg's database as dpkg itself writes it: /var/lib/dpkg/status and /var/lib/dpkg/info/*. Pure.
import { VcError } from '@verified-container/shared';
import { ControlSyntaxError, formatParagraph, parseControl } from './deb822.js';
import type { ControlField, ControlParagraph } from './deb822.js';
import { sourceOf } from './packages-index.js';

/**
 * Field order of dpkg's status file (dpkg 1.21 `fieldinfos[]`); fields dpkg does not know follow
 * in the order of the control file.
 */
export const DPKG_FIELD_ORDER = [
  'Package',
  'Essential',
  'Protected',
  'Status',
  'Priority',
  'Section',
  'Installed-Size',
  'Origin',
  'Maintainer',
  'Bugs',
  'Architecture',
  'Multi-Arch',
  'Source',
  'Version',
  'Config-Version',
  'Replaces',
  'Provides',
  'Depends',
  'Pre-Depends',
  'Recommends',
  'Suggests',
  'Breaks',
  'Conflicts',
  'Enhances',
  'Conffiles',
  'Description',
  'Triggers-Pending',
  'Triggers-Awaited',
] as const;

const KNOWN = new Map<string, number>(DPKG_FIELD_ORDER.map((f, i) => [f.toLowerCase(), i]));
/** Fields of a .deb control file or Packages index that dpkg does not keep in its status. */
const NOT_IN_STATUS = new Set([
  'filename',
  'size',
  'md5sum',
  'msdos-filename',
  'sha256',
  'sha1',
  'sha512',
  'revision',
  'package-revision',
  'package_revision',
  'config-version',
  'status',
  'conffiles',
  'triggers-pending',
  'triggers-awaited',
]);
const DEPENDENCY_FIELDS = new Set([
  'replaces',
  'provides',
  'depends',
  'pre-depends',
  'recommends',
  'suggests',
  'breaks',
  'conflicts',
  'enhances',
]);

/** One stanza of a dpkg status file. */
export interface DpkgStatusEntry {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
  /** `install ok installed`, `deinstall ok config-files`, … */
  readonly status: string;
  readonly multiArch: string;
  readonly source: string;
  readonly sourceVersion: string;
  readonly maintainer: string;
  /** Folded to one line. */
  readonly depends: string;
  readonly preDepends: string;
  readonly provides: string;
  readonly essential: boolean;
  /** `Conffiles` entries. */
  readonly conffiles: readonly { path: string; md5: string; flags: readonly string[] }[];
  /** The stanza as written, for merging it back unchanged. */
  readonly fields: readonly ControlField[];
}

/**
 * Parses a dpkg status file (a base image's, or one we wrote) into its stanzas, in file order.
 * Text that is not deb822 → STATE_CORRUPT (the base's database is damaged).
 */
export function parseDpkgStatus(text: string): DpkgStatusEntry[] {
  let paragraphs: ControlParagraph[];
  try {
    paragraphs = parseControl(text);
  } catch (cause) {
    if (!(cause instanceof ControlSyntaxError)) throw cause;
    throw new VcError('STATE_CORRUPT', `the dpkg status file is not valid: ${cause.message}`, {
      cause,
    });
  }
  return paragraphs.map((p) => {
    const name = p.first('Package');
    const version = p.first('Version');
    const { source, sourceVersion } = sourceOf(p.first('Source'), name, version);
    return {
      name,
      version,
      architecture: p.first('Architecture'),
      status: p.first('Status'),
      multiArch: p.first('Multi-Arch'),
      source,
      sourceVersion,
      maintainer: p.first('Maintainer'),
      depends: p.folded('Depends'),
      preDepends: p.folded('Pre-Depends'),
      provides: p.folded('Provides'),
      essential: p.first('Essential') === 'yes',
      conffiles: (p.get('Conffiles') ?? '')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((w) => w.length >= 2 && (w[0] ?? '').startsWith('/'))
        .map((w) => ({ path: w[0] ?? '', md5: w[1] ?? '', flags: w.slice(2) })),
      fields: p.fields,
    };
  });
}

/** Stanzas whose `Status` is `install ok installed` (what the SBOM lists, 02 §5). */
export function installedEntries(entries: readonly DpkgStatusEntry[]): DpkgStatusEntry[] {
  return entries.filter((e) => e.status === 'install ok installed');
}

/** What a status stanza of a newly installed package is made from. */
export interface StatusInput {
  /** The .deb's control fields. */
  readonly control: readonly ControlField[];
  /** Conffiles with the md5 of the installed content (`newconffile` when it was not unpacked). */
  readonly conffiles: readonly { path: string; md5: string }[];
}

/**
 * The status stanza dpkg writes for a configured package: control fields in dpkg's order with
 * `Status: install ok installed` and `Conffiles`, dependency fields normalised as dpkg prints
 * them, `Essential`/`Protected` only when `yes`, `Multi-Arch` only when not `no`.
 */
export function statusStanza(input: StatusInput): ControlField[] {
  const fields: ControlField[] = [];
  for (const f of input.control) {
    const key = f.name.toLowerCase();
    if (NOT_IN_STATUS.has(key)) continue;
    const canonical = DPKG_FIELD_ORDER[KNOWN.get(key) ?? -1] ?? f.name;
    if ((key === 'essential' || key === 'protected') && f.value.trim() !== 'yes') continue;
    if (key === 'multi-arch' && f.value.trim() === 'no') continue;
    const value = DEPENDENCY_FIELDS.has(key) ? normalizeDependencies(f.value) : f.value;
    if (DEPENDENCY_FIELDS.has(key) && value === '') continue;
    fields.push({ name: canonical, value });
  }
  fields.push({ name: 'Status', value: 'install ok installed' });
  if (input.conffiles.length > 0) {
    fields.push({
      name: 'Conffiles',
      value: input.conffiles.map((c) => `\n ${c.path} ${c.md5}`).join(''),
    });
  }
  return orderFields(fields);
}

/** Known fields in dpkg's order, then the others in their original order (stable). */
export function orderFields(fields: readonly ControlField[]): ControlField[] {
  const rank = (f: ControlField) => KNOWN.get(f.name.toLowerCase()) ?? DPKG_FIELD_ORDER.length;
  return fields
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map(({ f }) => f);
}

/**
 * A dependency field as dpkg writes it: one line, `, ` between groups, ` | ` between
 * alternatives, `name[:arch] (op version)`.
 */
export function normalizeDependencies(value: string): string {
  const folded = value.replace(/\s*\n\s*/g, ' ').trim();
  if (folded === '') return '';
  return folded
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group !== '')
    .map((group) =>
      group
        .split('|')
        .map((alt) => {
          const m = /^([^\s(]+)\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*([^)\s]+)\s*\))?\s*(.*)$/.exec(
            alt.trim(),
          );
          if (m === null) return alt.trim();
          const rest = (m[4] ?? '').trim();
          const rel = m[2] === undefined ? '' : ` (${m[2]} ${m[3] ?? ''})`;
          return `${m[1] ?? ''}${rel}${rest === '' ? '' : ` ${rest}`}`;
        })
        .join(' | '),
    )
    .join(', ');
}

/** Key of a stanza in the database: `name`, or `name:arch` for `Multi-Arch: same` packages. */
export function dpkgPackageKey(name: string, architecture: string, multiArch: string): string {
  return multiArch === 'same' ? `${name}:${architecture}` : name;
}

/**
 * `/var/lib/dpkg/status` after installing `added` over a base: base stanzas are kept as they are,
 * a base stanza of a package being installed (an upgrade) is replaced, and the result is sorted by
 * package name, then architecture, as dpkg writes it. Each stanza ends with an empty line.
 */
export function mergeDpkgStatus(baseText: string, added: readonly StatusInput[]): string {
  const stanzas = new Map<
    string,
    { name: string; arch: string; fields: readonly ControlField[] }
  >();
  const put = (fields: readonly ControlField[]) => {
    const p = {
      get: (n: string) => fields.find((f) => f.name.toLowerCase() === n)?.value.trim() ?? '',
    };
    const name = p.get('package');
    const arch = p.get('architecture');
    // One instance per name unless Multi-Arch: same (dpkg refuses anything else).
    const key = p.get('multi-arch') === 'same' ? `${name}:${arch}` : name;
    if (p.get('multi-arch') !== 'same') {
      for (const k of [...stanzas.keys()]) if (k.startsWith(`${name}:`)) stanzas.delete(k);
    } else {
      stanzas.delete(name);
    }
    stanzas.set(key, { name, arch, fields });
  };
  for (const e of parseDpkgStatus(baseText)) put(e.fields);
  for (const a of added) put(statusStanza(a));
  return [...stanzas.values()]
    .sort((a, b) => cmp(a.name, b.name) || cmp(a.arch, b.arch))
    .map((s) => `${formatParagraph(s.fields)}\n`)
    .join('');
}

/** What dpkg keeps in `/var/lib/dpkg/info` for one package. */
export interface DpkgInfoInput {
  readonly name: string;
  readonly architecture: string;
  readonly multiArch: string;
  /** Every archive member in archive order, `/.` first (DebContents.listedPaths). */
  readonly listedPaths: readonly string[];
  /** The md5sums text (shipped or generated). */
  readonly md5sums: string;
  /** Members of the control archive other than `control` (DebContents.controlFiles). */
  readonly controlFiles: ReadonlyMap<string, { content: Uint8Array; mode: number }>;
}

export interface DpkgInfoFile {
  /** Path in the image: `/var/lib/dpkg/info/<pkg>[:<arch>].<suffix>`. */
  readonly path: string;
  readonly content: Uint8Array;
  readonly mode: number;
}

const encoder = new TextEncoder();

/**
 * The files dpkg writes to `/var/lib/dpkg/info` for a package: `.list` (every member, archive
 * order), `.md5sums`, and a copy of every control member (`conffiles`, maintainer scripts,
 * `triggers`, `shlibs`, `templates`…), named `<pkg>.<member>` or `<pkg>:<arch>.<member>` for
 * `Multi-Arch: same` packages. Sorted by path.
 */
export function dpkgInfoFiles(input: DpkgInfoInput): DpkgInfoFile[] {
  const stem = dpkgPackageKey(input.name, input.architecture, input.multiArch);
  const dir = '/var/lib/dpkg/info';
  const files = new Map<string, DpkgInfoFile>();
  const add = (suffix: string, content: Uint8Array, mode: number) =>
    files.set(suffix, { path: `${dir}/${stem}.${suffix}`, content, mode });
  for (const [member, file] of input.controlFiles) {
    if (member === 'control' || member.includes('/')) continue;
    add(member, file.content, file.mode & 0o111 ? 0o755 : 0o644);
  }
  add('list', encoder.encode(input.listedPaths.map((p) => `${p}\n`).join('')), 0o644);
  if (input.md5sums !== '') add('md5sums', encoder.encode(input.md5sums), 0o644);
  return [...files.values()].sort((a, b) => cmp(a.path, b.path));
}

/** The `list` content alone (for tests and the SBOM's file ownership). */
export function dpkgListText(listedPaths: readonly string[]): string {
  return listedPaths.map((p) => `${p}\n`).join('');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

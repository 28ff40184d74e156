// SPDX-License-Identifier: Apache-2.0
// Reading a .deb through `dpkg-deb`: its file table, control data and declared licence.
import { createHash } from 'node:crypto';
import { VcError } from '@verified-container/shared';
import type { FileEntry, InstalledPackage, LockedPackage } from '@verified-container/shared/image';
import { licenseFromCopyright } from './copyright-license.js';
import type { DeclaredLicense } from './copyright-license.js';
import { drain, normalizeMember, readDebTar } from './deb-tar.js';
import { ControlSyntaxError, parseControl } from './deb822.js';
import type { ControlParagraph } from './deb822.js';
import type { Exec } from './exec.js';
import type { PathFilter } from './path-filter.js';
import { memberBase, memberTypeOf, specialEntry, symlinkEntry } from '../oci/tar-member.js';

/**
 * Where file contents go (the builder's content store). Only what the reader needs: the store
 * hashes what it is given and returns the digest (lowercase sha256 hex) and size.
 */
export interface ContentSink {
  put(data: AsyncIterable<Uint8Array>): Promise<{ digest: string; size: number }>;
}

/** A member of the control archive (`control.tar`), other than `control` itself. */
export interface DebControlFile {
  readonly content: Uint8Array;
  readonly mode: number;
}

export const MAINTAINER_SCRIPTS = ['preinst', 'postinst', 'prerm', 'postrm', 'config'] as const;
export type MaintainerScript = (typeof MAINTAINER_SCRIPTS)[number];

export interface DebContents {
  /** The `control` file. */
  readonly control: ControlParagraph;
  readonly controlText: string;
  /**
   * Every other member of the control archive by name (`md5sums`, `conffiles`, `triggers`,
   * `shlibs`, `templates`, the maintainer scripts…): dpkg copies them to `/var/lib/dpkg/info`.
   */
  readonly controlFiles: ReadonlyMap<string, DebControlFile>;
  /** Maintainer scripts present in the package (the `triggers` file is in `controlFiles`). */
  readonly scripts: Partial<Readonly<Record<MaintainerScript, string>>>;
  /** Absolute paths of the conffiles dpkg installs (`remove-on-upgrade` entries left out). */
  readonly conffiles: readonly string[];
  /**
   * `md5sums` as shipped, or generated as dpkg does when the package has none: `<md5>  <path>`
   * for each unpacked regular file, paths without the leading `/`, in archive order.
   */
  readonly md5sums: string;
  readonly md5sumsGenerated: boolean;
  /** Unpacked entries (path filters applied), in archive order; the root is not an entry. */
  readonly entries: readonly FileEntry[];
  /**
   * Every member as dpkg lists it in `info/<pkg>.list`: archive order, `./` as `/.`, no trailing
   * slash, filtered members included (dpkg lists them too).
   */
  readonly listedPaths: readonly string[];
  /** MD5 (hex) of each unpacked regular file and hardlink, by path. */
  readonly md5ByPath: ReadonlyMap<string, string>;
  /** Paths left out by the path filter. */
  readonly skippedPaths: readonly string[];
  /** Text of `usr/share/doc/<pkg>/copyright` in this .deb (following a doc-directory symlink inside it). */
  readonly copyright?: string;
  /**
   * When `usr/share/doc/<pkg>` is a symlink to another package's doc directory that this .deb does
   * not contain (`php8.2-cli` → `php8.2-common`): that package's name, whose copyright applies.
   * `license` is then NOASSERTION (02 §5.1 reads the .deb itself); the SBOM may use the other's.
   */
  readonly copyrightPackage?: string;
  readonly license: DeclaredLicense;
}

export interface ReadDebOptions {
  /** Receives the content of every unpacked regular file. Without it contents are only hashed. */
  readonly sink?: ContentSink;
  /** path-exclude/path-include rules (01 §5.3); excluded members are not unpacked or stored. */
  readonly filter?: PathFilter;
  /** Environment of `dpkg-deb` (PATH). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A copyright file larger than this is not read for a licence. */
const MAX_COPYRIGHT_BYTES = 4 * 1024 * 1024;
/** Control archive members are small; refuse absurd ones. */
const MAX_CONTROL_MEMBER_BYTES = 64 * 1024 * 1024;

/**
 * Reads a .deb: `dpkg-deb --ctrl-tarfile` for control data and `dpkg-deb --fsys-tarfile`,
 * streamed through tar-stream, for the file table. Ownership and modes come from the archive
 * (numeric uid/gid, `mode & 07777`), never from the host. Members with `..` or absolute names
 * and hardlinks to members not seen before → BUILD_ARCHIVE_UNSAFE; a file dpkg-deb cannot read →
 * BUILD_ARCHIVE_UNSAFE naming it; dpkg-deb missing → BUILD_TOOL_MISSING.
 */
export async function readDeb(
  exec: Exec,
  debPath: string,
  opts: ReadDebOptions = {},
): Promise<DebContents> {
  const control = await readControlArchive(exec, debPath, opts);
  const controlText = new TextDecoder().decode(control.get('control')?.content ?? new Uint8Array());
  let paragraph: ControlParagraph | undefined;
  try {
    paragraph = parseControl(controlText)[0];
  } catch (cause) {
    if (!(cause instanceof ControlSyntaxError)) throw cause;
  }
  const name = paragraph?.first('Package') ?? '';
  if (paragraph === undefined || name === '') {
    throw new VcError('BUILD_ARCHIVE_UNSAFE', `${debPath} has no valid control file`);
  }
  const controlFiles = new Map(control);
  controlFiles.delete('control');

  const data = await readDataArchive(exec, debPath, name, paragraph, opts);

  const scripts: Partial<Record<MaintainerScript, string>> = {};
  for (const s of MAINTAINER_SCRIPTS) {
    const file = controlFiles.get(s);
    if (file !== undefined) scripts[s] = new TextDecoder().decode(file.content);
  }
  const conffilesText = new TextDecoder().decode(
    controlFiles.get('conffiles')?.content ?? new Uint8Array(),
  );
  const conffiles = parseConffiles(conffilesText);
  const shipped = controlFiles.get('md5sums');
  const md5sums =
    shipped !== undefined
      ? new TextDecoder().decode(shipped.content)
      : data.md5Order.map((p) => `${data.md5ByPath.get(p) ?? ''}  ${p.slice(1)}\n`).join('');
  return {
    control: paragraph,
    controlText,
    controlFiles,
    scripts,
    conffiles,
    md5sums,
    md5sumsGenerated: shipped === undefined,
    entries: data.entries,
    listedPaths: data.listedPaths,
    md5ByPath: data.md5ByPath,
    skippedPaths: data.skippedPaths,
    ...(data.copyright !== undefined ? { copyright: data.copyright } : {}),
    ...(data.copyrightPackage !== undefined ? { copyrightPackage: data.copyrightPackage } : {}),
    license: licenseFromCopyright(data.copyright),
  };
}

/**
 * The conffiles control file: one absolute path per line, optionally preceded by flags
 * (`remove-on-upgrade /etc/x`, dpkg ≥ 1.20); those marked remove-on-upgrade are not installed.
 */
export function parseConffiles(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const words = line.split(/\s+/);
    const path = words[words.length - 1] ?? '';
    if (words.slice(0, -1).includes('remove-on-upgrade')) continue;
    if (path.startsWith('/')) out.push(path);
  }
  return out;
}

async function readControlArchive(
  exec: Exec,
  debPath: string,
  opts: ReadDebOptions,
): Promise<Map<string, DebControlFile>> {
  const members = new Map<string, DebControlFile>();
  await readDebTar(exec, debPath, '--ctrl-tarfile', opts, async (header, body) => {
    const name = normalizeMember(header.name, debPath).replace(/^\//, '');
    if (name === '.' || (header.type !== 'file' && header.type !== 'contiguous-file')) {
      await drain(body);
      return;
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > MAX_CONTROL_MEMBER_BYTES) {
        throw new VcError(
          'BUILD_ARCHIVE_LIMIT',
          `control member ${name} of ${debPath} is too large`,
        );
      }
      chunks.push(chunk);
    }
    members.set(name, { content: Buffer.concat(chunks), mode: (header.mode ?? 0o644) & 0o7777 });
  });
  return members;
}

interface DataArchive {
  entries: FileEntry[];
  listedPaths: string[];
  skippedPaths: string[];
  md5ByPath: Map<string, string>;
  /** Paths with an md5, in archive order (for a generated md5sums). */
  md5Order: string[];
  copyright?: string;
  copyrightPackage?: string;
}

async function readDataArchive(
  exec: Exec,
  debPath: string,
  name: string,
  control: ControlParagraph,
  opts: ReadDebOptions,
): Promise<DataArchive> {
  const inodePrefix = `deb:${name}_${control.first('Version')}_${control.first('Architecture')}`;
  const entries: FileEntry[] = [];
  const indexByPath = new Map<string, number>();
  const listedPaths: string[] = [];
  const skippedPaths: string[] = [];
  const skipped = new Set<string>();
  const md5ByPath = new Map<string, string>();
  const md5Order: string[] = [];
  const docFiles = new Map<string, string>();
  const docLinks = new Map<string, string>();
  const decoder = new TextDecoder();

  await readDebTar(exec, debPath, '--fsys-tarfile', opts, async (header, body) => {
    const path = normalizeMember(header.name, debPath);
    listedPaths.push(path === '/' ? '/.' : path);
    if (path === '/') {
      await drain(body);
      return;
    }
    const type = memberTypeOf(header, debPath);
    const skip = opts.filter?.skips(path, type === 'hardlink' ? 'f' : type) ?? false;
    const copyright = /^\/usr\/share\/doc\/[^/]+\/copyright$/.test(path) && type === 'f';
    if (skip) {
      skippedPaths.push(path);
      skipped.add(path);
    }
    const base = memberBase(header, path);
    switch (type) {
      case 'f': {
        const kept: Uint8Array[] | undefined = copyright ? [] : undefined;
        if (skip && kept === undefined) {
          await drain(body);
          return;
        }
        const { sha256, md5, size } = await consumeFile(
          body,
          skip ? undefined : opts.sink,
          kept,
          `${path} in ${debPath}`,
        );
        if (kept !== undefined && size <= MAX_COPYRIGHT_BYTES) {
          docFiles.set(path, decoder.decode(Buffer.concat(kept)));
        }
        if (skip) return;
        md5ByPath.set(path, md5);
        md5Order.push(path);
        indexByPath.set(path, entries.length);
        entries.push({ ...base, type: 'f', size, digest: sha256 });
        return;
      }
      case 'hardlink': {
        await drain(body);
        const target = normalizeMember(header.linkname ?? '', debPath);
        const at = indexByPath.get(target);
        if (skipped.has(target) || skip) {
          if (!skip) {
            skippedPaths.push(path);
            skipped.add(path);
          }
          return;
        }
        const first = at === undefined ? undefined : entries[at];
        if (at === undefined || first === undefined || first.type !== 'f') {
          throw new VcError(
            'BUILD_ARCHIVE_UNSAFE',
            `${debPath}: hardlink ${path} points to ${target}, which is not an earlier file`,
          );
        }
        const inodeKey = first.inodeKey ?? `${inodePrefix}:${first.path}`;
        if (first.inodeKey === undefined) entries[at] = { ...first, inodeKey };
        md5ByPath.set(path, md5ByPath.get(target) ?? '');
        md5Order.push(path);
        indexByPath.set(path, entries.length);
        entries.push({ ...base, type: 'f', size: first.size, digest: first.digest, inodeKey });
        return;
      }
      case 'l': {
        await drain(body);
        const target = header.linkname ?? '';
        if (path.startsWith('/usr/share/doc/') && path.split('/').length === 5) {
          docLinks.set(path, target);
        }
        if (skip) return;
        indexByPath.set(path, entries.length);
        entries.push(symlinkEntry(base, target));
        return;
      }
      case 'c':
      case 'b':
      case 'd':
      case 'p': {
        await drain(body);
        if (skip) return;
        indexByPath.set(path, entries.length);
        entries.push(specialEntry(base, type, header));
        return;
      }
    }
  });

  return {
    entries,
    listedPaths,
    skippedPaths,
    md5ByPath,
    md5Order,
    ...copyrightOf(name, docFiles, docLinks),
  };
}

/** `usr/share/doc/<pkg>/copyright`, or through `usr/share/doc/<pkg>` → `<other>` inside the same .deb. */
function copyrightOf(
  name: string,
  files: ReadonlyMap<string, string>,
  links: ReadonlyMap<string, string>,
): { copyright?: string; copyrightPackage?: string } {
  const own = files.get(`/usr/share/doc/${name}/copyright`);
  if (own !== undefined) return { copyright: own };
  const link = links.get(`/usr/share/doc/${name}`);
  if (link === undefined) return {};
  const target = (link.startsWith('/') ? link : `/usr/share/doc/${link}`).replace(/\/+$/, '');
  const text = files.get(`${target}/copyright`);
  if (text !== undefined) return { copyright: text };
  const other = /^\/usr\/share\/doc\/([^/]+)$/.exec(target)?.[1];
  return other === undefined ? {} : { copyrightPackage: other };
}

async function consumeFile(
  body: AsyncIterable<Uint8Array>,
  sink: ContentSink | undefined,
  keep: Uint8Array[] | undefined,
  what: string,
): Promise<{ sha256: string; md5: string; size: number }> {
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  let size = 0;
  async function* tap(): AsyncGenerator<Uint8Array> {
    for await (const chunk of body) {
      sha.update(chunk);
      md5.update(chunk);
      size += chunk.byteLength;
      if (keep !== undefined && size <= MAX_COPYRIGHT_BYTES) keep.push(chunk);
      yield chunk;
    }
  }
  if (sink === undefined) {
    await drain(tap());
    return { sha256: sha.digest('hex'), md5: md5.digest('hex'), size };
  }
  const stored = await sink.put(tap());
  const digest = sha.digest('hex');
  if (stored.digest !== digest || stored.size !== size) {
    throw new VcError(
      'INTERNAL',
      `the content store recorded ${what} as ${stored.digest}, expected ${digest}`,
    );
  }
  return { sha256: digest, md5: md5.digest('hex'), size };
}

/**
 * The SBOM view of an installed package (02 §5): the lock row plus maintainer, dependency fields
 * and declared licence read from the .deb.
 */
export function toInstalledPackage(
  locked: LockedPackage,
  contents: Pick<DebContents, 'control' | 'license'>,
  downloadLocation: string,
): InstalledPackage {
  return {
    ...locked,
    maintainer: contents.control.first('Maintainer'),
    depends: contents.control.folded('Depends'),
    preDepends: contents.control.folded('Pre-Depends'),
    provides: contents.control.folded('Provides'),
    license: contents.license.license,
    extractedLicenses: contents.license.extractedLicenses.map((l) => ({ id: l.id, text: l.text })),
    downloadLocation,
  };
}

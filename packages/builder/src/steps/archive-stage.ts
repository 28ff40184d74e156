// SPDX-License-Identifier: Apache-2.0
// Safety rule 3 (01 §3): every archive member is staged and checked; the rootfs changes only
// once all of them passed.
import { VcError } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import type { StoredContent } from '../content/content-store.js';
import type { ArchiveEntry, ArchiveEntryHeader } from './archive-entry.js';
import { putContent } from './content-io.js';
import type { RootFs } from './rootfs.js';
import { childPath, isResolveFailure, isWithin, resolveInRoot, splitPath } from './rootfs-path.js';
import type { ArchiveLimits } from './step-context.js';

/** A member that passed, by its path relative to `dest`. */
export interface StagedEntry {
  /** Member name as stored, for messages. */
  readonly name: string;
  readonly type: 'f' | 'd' | 'l';
  readonly mode: number;
  readonly content?: StoredContent;
  readonly target?: string;
  /** Set on a file and its hardlinks: they share an inode. */
  link?: number;
}

export interface StageOptions {
  readonly rootfs: RootFs;
  /** Canonical destination directory (it may not exist yet). */
  readonly dest: string;
  readonly stripComponents: number;
  readonly limits: ArchiveLimits;
  /** The archive's rootfs path, for messages. */
  readonly archive: string;
}

/**
 * Reads every member into the content store and checks it; returns the members to merge, in
 * archive order, keyed by their path below `dest` (a later member replaces an earlier one).
 * Absolute names, `..` leaving `dest`, members written through a symlink (from the archive or
 * already in `dest`), symlinks whose target is absolute or resolves outside `dest`, hardlinks to
 * anything but an earlier file member, devices, FIFOs and sockets → BUILD_ARCHIVE_UNSAFE naming
 * the member. More than `limits` bytes or members → BUILD_ARCHIVE_LIMIT.
 */
export async function stageArchive(
  entries: AsyncIterable<ArchiveEntry>,
  opts: StageOptions,
): Promise<Map<string, StagedEntry>> {
  const staged = new Map<string, StagedEntry>();
  let count = 0;
  let bytes = 0;
  let links = 0;
  for await (const { header, body } of entries) {
    count += 1;
    if (count > opts.limits.maxEntries) {
      throw limit(opts, `more than ${opts.limits.maxEntries} entries`);
    }
    const parts = memberPath(header.name, header.name, opts);
    if (parts === undefined) continue;
    const kind = memberKind(header, opts);
    const rel = parts.join('/');
    checkParents(parts, header.name, staged, opts);
    const existing = staged.get(rel)?.type ?? opts.rootfs.get(childPath(opts.dest, rel))?.type;
    if (existing === 'd' && kind !== 'directory') {
      throw new VcError(
        'BUILD_STEP_FAILED',
        `${opts.archive}: entry ${JSON.stringify(header.name)} would replace a directory`,
      );
    }
    switch (kind) {
      case 'directory':
        staged.set(rel, { name: header.name, type: 'd', mode: header.mode & 0o7777 });
        break;
      case 'file': {
        bytes += header.size;
        if (bytes > opts.limits.maxBytes)
          throw limit(opts, `more than ${opts.limits.maxBytes} bytes`);
        const content = await putContent(opts.rootfs.content, body);
        staged.set(rel, { name: header.name, type: 'f', mode: header.mode & 0o7777, content });
        break;
      }
      case 'symlink': {
        const target = header.linkName ?? '';
        if (target === '' || target.startsWith('/')) {
          throw unsafe(
            opts,
            header.name,
            `is a symlink to the absolute path ${JSON.stringify(target)}`,
          );
        }
        staged.set(rel, { name: header.name, type: 'l', mode: 0o777, target });
        break;
      }
      case 'hardlink': {
        const first = hardlinkTarget(header, staged, opts);
        first.link ??= ++links;
        staged.set(rel, { ...first, name: header.name });
        break;
      }
    }
  }
  checkSymlinks(staged, opts);
  return staged;
}

/**
 * Changes the rootfs: every staged member below `dest` (created), owned 0:0, stamped with the
 * rootfs mtime. Hardlinked members share the inode key `${inodePrefix}:<n>`.
 */
export function mergeStaged(
  rootfs: RootFs,
  dest: string,
  staged: ReadonlyMap<string, StagedEntry>,
  inodePrefix: string,
): void {
  rootfs.mkdirp(dest);
  for (const [rel, entry] of staged) {
    const path = childPath(dest, rel);
    const existing = rootfs.get(path);
    if (entry.type === 'd') {
      if (existing?.type === 'd') {
        rootfs.update(path, { mode: entry.mode, uid: 0, gid: 0 });
        continue;
      }
      if (existing !== undefined) rootfs.remove(path);
      rootfs.put(path, { type: 'd', mode: entry.mode });
    } else if (entry.type === 'l') {
      rootfs.put(path, { type: 'l', target: entry.target ?? '' });
    } else if (entry.content !== undefined) {
      rootfs.put(path, {
        type: 'f',
        mode: entry.mode,
        content: entry.content,
        ...(entry.link === undefined ? {} : { inodeKey: `${inodePrefix}:${entry.link}` }),
      });
    }
  }
}

type MemberKind = 'file' | 'directory' | 'symlink' | 'hardlink';

/** The kinds a member may have; devices, FIFOs, sockets and unknown types → BUILD_ARCHIVE_UNSAFE. */
function memberKind(header: ArchiveEntryHeader, opts: StageOptions): MemberKind {
  switch (header.type) {
    case 'file':
    case 'directory':
    case 'symlink':
    case 'hardlink':
      return header.type;
    case 'character-device':
      throw unsafe(opts, header.name, 'is a character device');
    case 'block-device':
      throw unsafe(opts, header.name, 'is a block device');
    case 'fifo':
      throw unsafe(opts, header.name, 'is a FIFO');
    case 'socket':
      throw unsafe(opts, header.name, 'is a socket');
    case 'unknown':
      throw unsafe(opts, header.name, 'has an unsupported type');
  }
}

/**
 * The components of a member name below `dest` after strip-components; undefined when nothing is
 * left (the member is skipped). Absolute names and `..` leaving `dest` → BUILD_ARCHIVE_UNSAFE.
 */
function memberPath(name: string, member: string, opts: StageOptions): string[] | undefined {
  if (name.startsWith('/')) throw unsafe(opts, member, 'has an absolute name');
  const all = splitPath(name);
  if (escapes(all)) throw unsafe(opts, member, 'leaves the destination through ".."');
  if (all.length <= opts.stripComponents) return undefined;
  const kept = all.slice(opts.stripComponents);
  if (escapes(kept)) throw unsafe(opts, member, 'leaves the destination through ".."');
  const out: string[] = [];
  for (const part of kept) {
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.length === 0 ? undefined : out;
}

function escapes(parts: readonly string[]): boolean {
  let depth = 0;
  for (const part of parts) {
    depth += part === '..' ? -1 : 1;
    if (depth < 0) return true;
  }
  return false;
}

/** No parent of the member may be a symlink (staged or in `dest`) or a non-directory. */
function checkParents(
  parts: readonly string[],
  member: string,
  staged: ReadonlyMap<string, StagedEntry>,
  opts: StageOptions,
): void {
  for (let k = 1; k < parts.length; k++) {
    const prefix = parts.slice(0, k).join('/');
    const type = staged.get(prefix)?.type ?? opts.rootfs.get(childPath(opts.dest, prefix))?.type;
    if (type === 'l') throw unsafe(opts, member, `is written through the symlink ${prefix}`);
    if (type !== undefined && type !== 'd') {
      throw new VcError(
        'BUILD_STEP_FAILED',
        `${opts.archive}: entry ${JSON.stringify(member)}: ${prefix} is not a directory`,
      );
    }
  }
}

function hardlinkTarget(
  header: ArchiveEntryHeader,
  staged: ReadonlyMap<string, StagedEntry>,
  opts: StageOptions,
): StagedEntry {
  const linkName = header.linkName ?? '';
  const parts = memberPath(linkName, header.name, opts);
  const first = parts === undefined ? undefined : staged.get(parts.join('/'));
  if (first?.type !== 'f') {
    throw unsafe(
      opts,
      header.name,
      `is a hardlink to ${JSON.stringify(linkName)}, not an earlier file entry`,
    );
  }
  return first;
}

/** Run once all members are staged, since a later member can change where an earlier link leads. */
function checkSymlinks(staged: ReadonlyMap<string, StagedEntry>, opts: StageOptions): void {
  const { dest, rootfs } = opts;
  const prefix = dest === '/' ? 1 : dest.length + 1;
  const view = (path: string): FileEntry | undefined => {
    const entry =
      path !== dest && isWithin(path, dest) ? staged.get(path.slice(prefix)) : undefined;
    if (entry === undefined) return rootfs.get(path);
    return {
      path,
      type: entry.type,
      mode: entry.mode,
      uid: 0,
      gid: 0,
      size: 0,
      digest: '',
      mtime: 0,
      ...(entry.target === undefined ? {} : { linkTarget: entry.target }),
    };
  };
  for (const [rel, entry] of staged) {
    if (entry.type !== 'l' || entry.target === undefined) continue;
    const parent = splitPath(rel).slice(0, -1);
    if (escapes([...parent, ...splitPath(entry.target)])) {
      throw unsafe(opts, entry.name, `is a symlink to ${entry.target}, outside the destination`);
    }
    let resolved: string;
    try {
      const dir = parent.length === 0 ? dest : childPath(dest, parent.join('/'));
      resolved = resolveInRoot(`${dir}/${entry.target}`, view, true);
    } catch (err) {
      if (isResolveFailure(err, 'ENOTDIR')) continue;
      throw unsafe(opts, entry.name, `is a symlink loop (${entry.target})`);
    }
    if (!isWithin(resolved, dest)) {
      throw unsafe(
        opts,
        entry.name,
        `is a symlink to ${entry.target}, which resolves outside the destination`,
      );
    }
  }
}

function unsafe(opts: StageOptions, member: string, why: string): VcError {
  return new VcError(
    'BUILD_ARCHIVE_UNSAFE',
    `${opts.archive}: entry ${JSON.stringify(member)} ${why}`,
    {
      details: { archive: opts.archive, entry: member },
    },
  );
}

function limit(opts: StageOptions, why: string): VcError {
  return new VcError('BUILD_ARCHIVE_LIMIT', `${opts.archive}: ${why} when unpacked`, {
    details: { archive: opts.archive, ...opts.limits },
  });
}

// SPDX-License-Identifier: Apache-2.0
// What a tar header describes, as a file-table entry: shared by the .deb reader and the layer reader.
import { createHash } from 'node:crypto';
import { VcError } from '@verified-container/shared';
import type { FileEntry, FileType } from '@verified-container/shared/image';
import type { Header } from 'tar-stream';

/**
 * `./usr/bin/x`, `usr/bin/x/` → `/usr/bin/x`; `./` → `/`. Names that climb out (`..`) are refused:
 * a verified .deb or a layer we read never has them, so one means a bug or an attack.
 */
export function memberPath(name: string, archive: string): string {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new VcError(
      'BUILD_ARCHIVE_UNSAFE',
      `${archive}: member ${JSON.stringify(name)} escapes the root`,
    );
  }
  return `/${parts.join('/')}`;
}

/** A member's type: a file-table type, or a hardlink to an earlier member. */
export type MemberType = FileType | 'hardlink';

/** The type of a tar member; anything else (sparse, volume labels…) → BUILD_ARCHIVE_UNSAFE. */
export function memberTypeOf(header: Header, archive: string): MemberType {
  switch (header.type) {
    case 'file':
    case 'contiguous-file':
      return 'f';
    case 'directory':
      return 'd';
    case 'symlink':
      return 'l';
    case 'link':
      return 'hardlink';
    case 'character-device':
      return 'c';
    case 'block-device':
      return 'b';
    case 'fifo':
      return 'p';
  }
  throw new VcError(
    'BUILD_ARCHIVE_UNSAFE',
    `${archive}: member ${header.name} has the unsupported type ${String(header.type)}`,
  );
}

/** Path, mode, owner and mtime of a member (`mode & 07777`, mtime in seconds). */
export function memberBase(
  header: Header,
  path: string,
): Pick<FileEntry, 'path' | 'mode' | 'uid' | 'gid' | 'mtime'> {
  return {
    path,
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    mtime: Math.floor((header.mtime?.getTime() ?? 0) / 1000),
  };
}

/** A symlink entry: size and digest are those of the target's bytes (02 §6). */
export function symlinkEntry(
  base: Pick<FileEntry, 'path' | 'mode' | 'uid' | 'gid' | 'mtime'>,
  target: string,
): FileEntry {
  const bytes = new TextEncoder().encode(target);
  return {
    ...base,
    type: 'l',
    size: bytes.byteLength,
    digest: createHash('sha256').update(bytes).digest('hex'),
    linkTarget: target,
  };
}

/** A device, FIFO or directory entry (no content). */
export function specialEntry(
  base: Pick<FileEntry, 'path' | 'mode' | 'uid' | 'gid' | 'mtime'>,
  type: 'd' | 'p' | 'c' | 'b',
  header: Header,
): FileEntry {
  return type === 'c' || type === 'b'
    ? {
        ...base,
        type,
        size: 0,
        digest: '',
        devMajor: header.devmajor ?? 0,
        devMinor: header.devminor ?? 0,
      }
    : { ...base, type, size: 0, digest: '' };
}

// SPDX-License-Identifier: Apache-2.0
// What the archive readers yield: one header and its body per member, in archive order.

/** Member kinds; every kind but file, directory, symlink and hardlink is refused (rule 3). */
export type ArchiveEntryType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'hardlink'
  | 'character-device'
  | 'block-device'
  | 'fifo'
  | 'socket'
  | 'unknown';

export interface ArchiveEntryHeader {
  /** The member name exactly as stored. */
  readonly name: string;
  readonly type: ArchiveEntryType;
  /** Permission bits as stored (`& 0o7777` is applied when merging). */
  readonly mode: number;
  /** Bytes of the body (files). */
  readonly size: number;
  /** Target of a symlink, or the member a hardlink points to. */
  readonly linkName?: string;
}

export interface ArchiveEntry {
  readonly header: ArchiveEntryHeader;
  /** The member's bytes; read it (or not) before asking for the next entry. */
  readonly body: AsyncIterable<Uint8Array>;
}

export type ArchiveFormat = 'tar' | 'tar.gz' | 'tar.xz' | 'zip';

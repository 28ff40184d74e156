// SPDX-License-Identifier: Apache-2.0

/** Entry types of a root filesystem, as in the file-integrity statement (02 §6). */
export type FileType = 'f' | 'd' | 'l' | 'c' | 'b' | 'p';

/**
 * One entry of a root filesystem as the builder tracks it: ownership and modes come from this
 * table, never from the host file system (01 §5.4). Paths are absolute POSIX paths without a
 * trailing slash (`/usr/bin/php`); the root itself (`/`) is never an entry.
 */
export interface FileEntry {
  readonly path: string;
  readonly type: FileType;
  /** Permission bits and set-id/sticky bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes of a regular file; byte length of a symlink target; 0 otherwise. */
  readonly size: number;
  /** Lowercase sha256 hex of a file's content or of a symlink's target bytes; '' otherwise. */
  readonly digest: string;
  /** Symlink target, stored verbatim (may be absolute). */
  readonly linkTarget?: string;
  /** Seconds since the epoch (clamped to SOURCE_DATE_EPOCH when packed, 01 §6.3). */
  readonly mtime: number;
  /** Device numbers of `c`/`b` entries. */
  readonly devMajor?: number;
  readonly devMinor?: number;
  /**
   * Identity of the underlying inode when several paths share it (hardlinks); entries with the same
   * key in one layer are packed as hardlinks to the first path (01 §6.3).
   */
  readonly inodeKey?: string;
}

const encoder = new TextEncoder();

/** Orders paths by their UTF-8 bytes (01 §6.3, 02 §6): the order of layer tars and statements. */
export function compareByPathBytes(a: string, b: string): number {
  if (a === b) return 0;
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** `0755`-style four-digit octal text of a mode. */
export function formatMode(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

/** One row of the file-integrity predicate: `[path, type, mode, uid, gid, size, digest]` (02 §6). */
export type FileIntegrityRow = [string, FileType, string, number, number, number, string];

export function fileIntegrityRow(e: FileEntry): FileIntegrityRow {
  return [e.path, e.type, formatMode(e.mode), e.uid, e.gid, e.size, e.digest];
}

// SPDX-License-Identifier: Apache-2.0
import type { ArchiveFormat } from './archive-entry.js';

/** Bytes of the archive's start that {@link detectArchiveFormat} looks at. */
export const MAGIC_BYTES = 512;

const BY_NAME: readonly [string, ArchiveFormat][] = [
  ['.tar.gz', 'tar.gz'],
  ['.tgz', 'tar.gz'],
  ['.tar.xz', 'tar.xz'],
  ['.txz', 'tar.xz'],
  ['.tar', 'tar'],
  ['.zip', 'zip'],
];

/**
 * The format of an archive (01 §3 extract): by its name (`.tar`, `.tar.gz`/`.tgz`, `.tar.xz`,
 * `.zip`), else by its first bytes (gzip, xz and zip magic numbers, `ustar` at offset 257).
 */
export function detectArchiveFormat(name: string, head: Uint8Array): ArchiveFormat | undefined {
  const lower = name.toLowerCase();
  for (const [suffix, format] of BY_NAME) if (lower.endsWith(suffix)) return format;
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return 'tar.gz';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'tar.xz';
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'zip';
  if (Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

// SPDX-License-Identifier: Apache-2.0
// The file-integrity predicate and the tree digest (02 §6).
import { sha256Hex, sha256HexOf } from '../crypto/index.js';
import { VcError } from '../errors.js';
import {
  compareByPathBytes,
  fileIntegrityRow,
  type FileEntry,
  type FileIntegrityRow,
} from '../image/index.js';
import { canonicalBytes } from '../json/index.js';

export const FILE_INTEGRITY_FIELDS = [
  'path',
  'type',
  'mode',
  'uid',
  'gid',
  'size',
  'digest',
] as const;

export interface FileIntegrityPredicate {
  algorithm: 'sha256';
  fields: (typeof FILE_INTEGRITY_FIELDS)[number][];
  entries: FileIntegrityRow[];
}

const encoder = new TextEncoder();

/**
 * The predicate of 02 §6 for a merged root filesystem: one row per entry except `/`, sorted by
 * path bytes. Rows are derived, not copied: a symlink with a `linkTarget` gets size = the target's
 * UTF-8 length and digest = sha256 of those bytes; directories, devices and FIFOs get size 0 and
 * digest `""`; a regular file (hardlinks included) keeps its size and needs a 64-hex digest.
 * A relative path, a duplicate path or a file without a digest throws `INVALID_ARGUMENT`.
 */
export function generateFileIntegrity(entries: readonly FileEntry[]): FileIntegrityPredicate {
  const rows = entries
    .filter((e) => e.path !== '/')
    .map(normalizedRow)
    .sort((a, b) => compareByPathBytes(a[0], b[0]));
  for (let i = 1; i < rows.length; i++) {
    const path = rows[i]?.[0];
    if (path !== undefined && path === rows[i - 1]?.[0]) {
      throw new VcError('INVALID_ARGUMENT', `${JSON.stringify(path)} is listed twice`);
    }
  }
  return { algorithm: 'sha256', fields: [...FILE_INTEGRITY_FIELDS], entries: rows };
}

/**
 * Tree digest of a directory tree (02 §6): lowercase sha256 hex of the JCS of
 * {@link generateFileIntegrity} over its entries, paths relative to the tree's root with a leading
 * `/` (`composer.json` and `./composer.json` are taken as `/composer.json`).
 */
export function treeDigest(entries: readonly FileEntry[]): string {
  const rooted = entries.map((e) => ({ ...e, path: rootedPath(e.path) }));
  return sha256Hex(canonicalBytes(generateFileIntegrity(rooted)));
}

function rootedPath(path: string): string {
  const trimmed = path.replace(/^\.\//u, '');
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

function normalizedRow(e: FileEntry): FileIntegrityRow {
  if (!e.path.startsWith('/')) {
    throw new VcError('INVALID_ARGUMENT', `path ${JSON.stringify(e.path)} is not absolute`);
  }
  switch (e.type) {
    case 'f': {
      const digest = sha256HexOf(e.digest);
      if (digest === null || !Number.isSafeInteger(e.size) || e.size < 0) {
        throw new VcError(
          'INVALID_ARGUMENT',
          `file ${JSON.stringify(e.path)} needs a size and a sha256 digest`,
        );
      }
      return fileIntegrityRow({ ...e, digest });
    }
    case 'l': {
      if (e.linkTarget !== undefined) {
        const target = encoder.encode(e.linkTarget);
        return fileIntegrityRow({ ...e, size: target.length, digest: sha256Hex(target) });
      }
      const digest = sha256HexOf(e.digest);
      if (digest === null) {
        throw new VcError(
          'INVALID_ARGUMENT',
          `symlink ${JSON.stringify(e.path)} needs a linkTarget or a digest`,
        );
      }
      return fileIntegrityRow({ ...e, digest });
    }
    case 'd':
    case 'c':
    case 'b':
    case 'p':
      return fileIntegrityRow({ ...e, size: 0, digest: '' });
  }
}

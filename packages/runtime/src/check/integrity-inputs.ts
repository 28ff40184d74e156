// SPDX-License-Identifier: Apache-2.0
// The files `file-integrity` reads and keeps: the image's signed file-integrity statement (02 §6,
// in the store bundle `bundles/sha256-<hex>/attestations/bundle.json`) and the container's
// `(ino, size, mtime, ctime)` cache (05 §4.4) at `containers/<id>/integrity-cache.json`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  childPath,
  decodeStatement,
  FILE_INTEGRITY_PREDICATE_TYPE,
  parseBundle,
} from '@verified-container/shared/attestation';
import type { FileIntegrityRow } from '@verified-container/shared/image';
import { writeFileAtomic } from '../store/index.js';
import { storeBundleDir } from '../verification/verify-inputs.js';
import { fileIntegrityRows } from './file-integrity.js';
import type { IntegrityCache } from './rootfs-scan.js';

/** The statement's rows; `absent` without a bundle or statement; `malformed` when unreadable. */
export type IntegrityStatement =
  | { readonly kind: 'rows'; readonly rows: FileIntegrityRow[] }
  | { readonly kind: 'absent'; readonly reason: string }
  | { readonly kind: 'malformed'; readonly reason: string };

/** Finds the file-integrity statement among the bundle's attestations. */
export async function readIntegrityStatement(
  root: string,
  imageDigest: string,
): Promise<IntegrityStatement> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(
      await readFile(join(storeBundleDir(root, imageDigest), 'attestations', 'bundle.json')),
    );
  } catch {
    return { kind: 'absent', reason: 'the image has no attestation bundle in the store' };
  }
  const { bundle } = parseBundle(bytes);
  if (bundle === undefined)
    return { kind: 'malformed', reason: 'the attestation bundle is malformed' };
  for (const [i, envelope] of bundle.attestations.entries()) {
    const { statement } = decodeStatement(envelope, childPath('$', 'attestations', i));
    if (statement?.predicateType !== FILE_INTEGRITY_PREDICATE_TYPE) continue;
    const rows = fileIntegrityRows(statement.predicate);
    return rows === undefined
      ? { kind: 'malformed', reason: 'the file-integrity statement is malformed' }
      : { kind: 'rows', rows };
  }
  return { kind: 'absent', reason: 'the image has no file-integrity statement' };
}

interface CacheFile {
  readonly version: 1;
  readonly imageDigest: string;
  readonly entries: Readonly<Record<string, string>>;
}

export function integrityCachePath(containerDir: string): string {
  return join(containerDir, 'integrity-cache.json');
}

/** The cache of `containerDir` for `imageDigest`; empty when missing, unreadable or another image's. */
export async function readIntegrityCache(
  containerDir: string,
  imageDigest: string,
): Promise<IntegrityCache> {
  try {
    const file = JSON.parse(
      await readFile(integrityCachePath(containerDir), 'utf8'),
    ) as Partial<CacheFile>;
    if (
      file.version !== 1 ||
      file.imageDigest !== imageDigest ||
      typeof file.entries !== 'object'
    ) {
      return new Map();
    }
    return new Map(
      Object.entries(file.entries ?? {}).filter(
        (e): e is [string, string] => typeof e[1] === 'string',
      ),
    );
  } catch {
    return new Map();
  }
}

export async function writeIntegrityCache(
  containerDir: string,
  imageDigest: string,
  cache: IntegrityCache,
): Promise<void> {
  const file: CacheFile = { version: 1, imageDigest, entries: Object.fromEntries(cache) };
  await writeFileAtomic(integrityCachePath(containerDir), `${JSON.stringify(file)}\n`, {
    mode: 0o600,
  });
}

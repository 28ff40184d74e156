// SPDX-License-Identifier: Apache-2.0
// Measures a container's root for `file-integrity` (05 §8, §4.4): stats every listed path, hashes
// what may have changed, lists what was added. Quick mode trusts a file whose
// `(ino, size, mtime, ctime)` equals the cached tuple of its last matching hash; files of the
// overlay's upper dir are always measured there (the host's view of the merged mount may still
// cache the lower file after someone wrote into the upper dir behind overlayfs's back).
import { createHash } from 'node:crypto';
import { createReadStream, type BigIntStats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileIntegrityRow } from '@verified-container/shared/image';
import type { IntegrityObservation, ObservedEntry, ObservedType } from './file-integrity.js';

/** Cached identity of files whose content matched the statement: path → `ino:size:mtime:ctime`. */
export type IntegrityCache = ReadonlyMap<string, string>;

export interface RootfsScanInput {
  readonly rows: readonly FileIntegrityRow[];
  /** The merged root as the host sees it (`containers/<id>/rootfs`). */
  readonly rootfs: string;
  /** The overlay's upper dir; undefined for a copied root. */
  readonly upper: string | undefined;
  /** `--full`: hash every file and walk the whole root for added entries. */
  readonly full: boolean;
  readonly cache: IntegrityCache;
}

export interface RootfsScan {
  readonly observation: IntegrityObservation;
  /** The cache to keep for the next quick check. */
  readonly cache: IntegrityCache;
}

export async function scanRootfs(input: RootfsScanInput): Promise<RootfsScan> {
  const listed = new Map<string, ObservedEntry | undefined>();
  const cache = new Map<string, string>();
  let hashed = 0;
  for (const row of input.rows) {
    const [path, , , , , , digest] = row;
    const fromUpper = input.upper === undefined ? undefined : await upperEntry(input.upper, path);
    if (fromUpper === 'whiteout') {
      listed.set(path, undefined);
      continue;
    }
    const base = fromUpper !== undefined ? input.upper! : input.rootfs;
    const st = fromUpper ?? (await lstatOrUndefined(join(input.rootfs, path)));
    if (st === undefined) {
      listed.set(path, undefined);
      continue;
    }
    const type = typeOf(st);
    let entryDigest = '';
    let size = type === 'd' || type === 'c' || type === 'b' || type === 'p' ? 0 : Number(st.size);
    if (type === 'f') {
      const identity = identityOf(st);
      const trusted = !input.full && fromUpper === undefined && input.cache.get(path) === identity;
      if (trusted) {
        entryDigest = digest;
      } else {
        entryDigest = await hashFile(join(base, path));
        hashed++;
      }
      if (fromUpper === undefined && entryDigest === digest) cache.set(path, identity);
    } else if (type === 'l') {
      const target = await readlink(join(base, path), { encoding: 'buffer' });
      entryDigest = createHash('sha256').update(target).digest('hex');
      size = target.length;
    }
    listed.set(path, entryOf(path, type, st, size, entryDigest));
  }

  const known = new Set(input.rows.map((r) => r[0]));
  const added = new Map<string, ObservedEntry>();
  const roots: string[] = [];
  if (input.upper !== undefined) roots.push(input.upper);
  if (input.full || input.upper === undefined) roots.push(input.rootfs);
  for (const root of roots) {
    for await (const [path, st] of walk(root, '')) {
      if (known.has(path) || added.has(path)) continue;
      if (root === input.upper && isWhiteout(st)) continue;
      const type = typeOf(st);
      added.set(path, entryOf(path, type, st, type === 'f' ? Number(st.size) : 0, ''));
    }
  }
  return { observation: { listed, added: [...added.values()], hashed }, cache };
}

/** The upper dir's entry for `path`: its stats, `whiteout` (deleted), or undefined (not there). */
async function upperEntry(
  upper: string,
  path: string,
): Promise<BigIntStats | 'whiteout' | undefined> {
  const st = await lstatOrUndefined(join(upper, path));
  if (st === undefined) return undefined;
  return isWhiteout(st) ? 'whiteout' : st;
}

/** An overlay whiteout: a character device 0/0. */
function isWhiteout(st: BigIntStats): boolean {
  return st.isCharacterDevice() && st.rdev === 0n;
}

async function lstatOrUndefined(path: string): Promise<BigIntStats | undefined> {
  try {
    return await lstat(path, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Every entry below `dir` (depth first), paths with a leading `/`; symlinks not followed. */
async function* walk(root: string, rel: string): AsyncGenerator<[string, BigIntStats]> {
  let names: string[];
  try {
    names = await readdir(join(root, rel));
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const path = `${rel}/${name}`;
    const st = await lstatOrUndefined(join(root, path));
    if (st === undefined) continue;
    yield [path, st];
    if (st.isDirectory()) yield* walk(root, path);
  }
}

function typeOf(st: BigIntStats): ObservedType {
  if (st.isFile()) return 'f';
  if (st.isDirectory()) return 'd';
  if (st.isSymbolicLink()) return 'l';
  if (st.isCharacterDevice()) return 'c';
  if (st.isBlockDevice()) return 'b';
  if (st.isFIFO()) return 'p';
  return 's';
}

function entryOf(
  path: string,
  type: ObservedType,
  st: BigIntStats,
  size: number,
  digest: string,
): ObservedEntry {
  return {
    path,
    type,
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    size,
    digest,
  };
}

/** `ino:size:mtime:ctime` (nanoseconds): what the cache compares. */
function identityOf(st: BigIntStats): string {
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

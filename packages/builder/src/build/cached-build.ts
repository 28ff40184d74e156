// SPDX-License-Identifier: Apache-2.0
// The whole-build cache (01 §6.4): an unchanged manifest and lock reuse the stored image and
// bundle, with no download and no packing.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { parseLockfile } from '../debian/lockfile.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';
import { BUILDER_VERSION } from '../version.js';
import type { BuildCache, BuildRecord } from './build-cache.js';
import { buildCacheKey } from './cache-keys.js';
import { bundleDirOf, commitTagsAndBundle, writeOutFiles } from './commit.js';
import type { OutFiles } from './out-files.js';
import type { BuildProgress } from './progress.js';
import type { WorkDir } from './work-dir.js';

/** The whole-build key: manifest and lock bytes, context inputs, epoch, builder and zlib versions. */
export function buildKey(
  manifestSha256: string,
  lockSha256: string,
  contextDigest: string | null,
  epoch: number,
): string {
  return buildCacheKey({
    manifestSha256,
    lockSha256,
    contextDigest,
    sourceDateEpoch: epoch,
    builderVersion: BUILDER_VERSION,
    zlibVersion: process.versions.zlib ?? '',
  });
}

/** The `sourceDateEpoch` of lock bytes; undefined when they do not parse (the lock stage says why). */
export function lockEpoch(bytes: Uint8Array, path: string): number | undefined {
  try {
    return parseLockfile(bytes, { source: path }).sourceDateEpoch;
  } catch {
    return undefined;
  }
}

export interface CachedBuildInput {
  readonly key: string;
  readonly sourceDateEpoch: number;
  readonly root: string;
  readonly store: OciLayoutStore;
  readonly cache: BuildCache;
  readonly work: WorkDir;
  /** `name:tag` refs the image gets. */
  readonly refs: readonly string[];
  /** The --out files to write; undefined for none. */
  readonly out: OutFiles | undefined;
  readonly progress: BuildProgress;
}

/**
 * On a hit whose image and bundle are still stored: tags the image again (a tag may have moved),
 * rewrites the --out files and returns the record; undefined on a miss.
 */
export async function reuseCachedBuild(input: CachedBuildInput): Promise<BuildRecord | undefined> {
  const { store, root } = input;
  const record = await input.cache.readBuild(input.key);
  if (
    record === undefined ||
    !(await store.hasBlob(record.manifest.digest)) ||
    !(await exists(resolve(bundleDirOf(root, record.imageDigest), 'attestations', 'bundle.json')))
  ) {
    return undefined;
  }
  const ref = input.refs[0] ?? '';
  input.progress.note(`build cache: ${ref} is unchanged (${record.imageDigest})`);
  const bundleDir = await commitTagsAndBundle(
    root,
    store,
    input.work,
    record.manifest,
    input.refs,
    undefined,
  );
  if (input.out !== undefined) {
    await writeOutFiles({
      store,
      bundleDir,
      manifest: record.manifest,
      blobs: await imageBlobs(store, record.manifest.digest),
      ref,
      out: input.out,
      sourceDateEpoch: input.sourceDateEpoch,
      cacheDir: resolve(root, 'cache', 'build', 'ctp'),
    });
  }
  return record;
}

/** Config and layer descriptors of a stored image manifest. */
async function imageBlobs(store: OciLayoutStore, digest: string) {
  const parsed = JSON.parse(Buffer.from(await store.readBlob(digest)).toString('utf8')) as {
    config: { mediaType: string; digest: string; size: number };
    layers: { mediaType: string; digest: string; size: number }[];
  };
  return [parsed.config, ...parsed.layers];
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

// SPDX-License-Identifier: Apache-2.0
// The merged file table of a base image, read from its layers once and cached by manifest digest.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@verified-container/shared';
import type { FileEntry } from '@verified-container/shared/image';
import type { ContentStore } from '../content/content-store.js';
import { writeFileAtomic } from '../io/files.js';
import { applyLayer } from '../oci/layer-diff.js';
import { readLayer } from '../oci/layer-reader.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';
import type { StoredImage } from '../store/stored-image.js';
import type { BuildProgress } from './progress.js';

/** Bumped when the cached form changes. */
const CACHE_FORMAT = 1;

export interface BaseTableDeps {
  readonly store: OciLayoutStore;
  readonly content: ContentStore;
  /** `$VC_ROOT/cache/build/bases`. */
  readonly cacheDir: string;
  readonly progress: BuildProgress;
  readonly logger: Logger;
}

/**
 * The root filesystem of `image` as a table keyed by path. From the cache when it is there and
 * every file's content is still in the content store; else each layer is read (contents stored)
 * and the result cached.
 */
export async function baseTable(
  image: StoredImage,
  deps: BaseTableDeps,
): Promise<Map<string, FileEntry>> {
  const cachePath = join(deps.cacheDir, `${image.digest.slice('sha256:'.length)}.json`);
  const cached = await readCached(cachePath, deps);
  if (cached !== undefined) return cached;

  const task = `read base layers (${image.layers.length})`;
  deps.progress.begin(task);
  let table = new Map<string, FileEntry>();
  for (const layer of image.layers) {
    const changes = await readLayer(
      deps.store.openBlob(layer.descriptor.digest),
      layer.diffId,
      deps.content,
      table,
    );
    table = applyLayer(table, changes.entries, changes.whiteouts, changes.opaqueDirs);
  }
  deps.progress.end(task, `${table.size} entries`);
  await deps.content.flush();
  await fs.mkdir(deps.cacheDir, { recursive: true });
  await writeFileAtomic(
    cachePath,
    JSON.stringify({ format: CACHE_FORMAT, entries: [...table.values()] }),
  );
  return table;
}

async function readCached(
  path: string,
  deps: BaseTableDeps,
): Promise<Map<string, FileEntry> | undefined> {
  let parsed: { format?: number; entries?: FileEntry[] };
  try {
    parsed = JSON.parse(await fs.readFile(path, 'utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  if (parsed.format !== CACHE_FORMAT || !Array.isArray(parsed.entries)) return undefined;
  const digests = new Set(parsed.entries.filter((e) => e.type === 'f').map((e) => e.digest));
  const present = await Promise.all([...digests].map((d) => deps.content.has(d)));
  if (present.includes(false)) {
    deps.logger.debug({ path }, 'base table cache: contents missing, reading the layers again');
    return undefined;
  }
  return new Map(parsed.entries.map((e) => [e.path, e]));
}

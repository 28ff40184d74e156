// SPDX-License-Identifier: Apache-2.0
// The builder's caches (01 §6.4) under `$VC_ROOT/cache/build/`: layer records and build records.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@verified-container/shared';
import type { FileEntry, InstalledPackage } from '@verified-container/shared/image';
import { ensureDirectory, writeFileAtomic } from '../io/files.js';
import type { Descriptor } from '../oci/media-types.js';
import type { ComposerInput, ContextInput, FetchedInput } from '../steps/step-inputs.js';
import type { SigningFields } from './build-result.js';
import type { LayerReport } from './build-types.js';

/** `layers/<key>.json` (01 §6.4). */
export interface LayerRecord {
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
}

/**
 * `layers/<key>.table.json`: what the layer changed, so a hit can rebuild the file table above it
 * without unpacking or re-running anything, plus the facts the attestations need.
 */
export interface LayerTableRecord {
  readonly entries: readonly FileEntry[];
  readonly whiteouts: readonly string[];
  readonly opaqueDirs: readonly string[];
  /** Packages layer: the SBOM rows of the packages it installed. */
  readonly packages?: readonly InstalledPackage[];
  /** Steps layer: the downloads and context files the steps read. */
  readonly fetches?: readonly FetchedInput[];
  readonly contextFiles?: readonly ContextInput[];
  /** Steps layer: what `composer-require` steps wrote (for the lock). */
  readonly composer?: readonly ComposerInput[];
}

/** `builds/<key>.json`: the result of a whole build. */
export interface BuildRecord {
  readonly imageDigest: string;
  readonly manifest: Descriptor;
  readonly layers: readonly Omit<LayerReport, 'cached'>[];
  readonly sbomPackages: number;
  /** Signing and publishing as the build that made the record left them. */
  readonly signing?: SigningFields;
}

/** Reads and writes the cache records; unreadable records are misses, never errors. */
export class BuildCache {
  readonly dir: string;
  readonly #logger: Logger;

  /** `dir` = `$VC_ROOT/cache/build`. */
  constructor(dir: string, logger: Logger) {
    this.dir = dir;
    this.#logger = logger;
  }

  async readLayer(
    key: string,
  ): Promise<{ record: LayerRecord; table: LayerTableRecord } | undefined> {
    const record = await this.#read<LayerRecord>(join(this.dir, 'layers', `${key}.json`));
    const table = await this.#read<LayerTableRecord>(join(this.dir, 'layers', `${key}.table.json`));
    if (record === undefined || table === undefined) return undefined;
    return { record, table };
  }

  async writeLayer(key: string, record: LayerRecord, table: LayerTableRecord): Promise<void> {
    const dir = join(this.dir, 'layers');
    await ensureDirectory(dir);
    // The table first: a record without its table is a miss, the reverse would be a broken hit.
    await writeFileAtomic(join(dir, `${key}.table.json`), JSON.stringify(table));
    await writeFileAtomic(
      join(dir, `${key}.json`),
      `${JSON.stringify({ digest: record.digest, diffId: record.diffId, size: record.size })}\n`,
    );
  }

  /**
   * Keeps a packed layer blob (a hardlink of the work directory's file) so a build that fails
   * after packing does not pack it again: the store only receives blobs at the commit.
   */
  async keepBlob(path: string, digest: string): Promise<void> {
    await ensureDirectory(join(this.dir, 'blobs'));
    try {
      await fs.link(path, this.blobPath(digest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        this.#logger.debug({ path, err: String(err) }, 'layer blob not kept in the cache');
      }
    }
  }

  /** Puts a kept blob into the work directory (hardlink); false when it is not kept. */
  async restoreBlob(digest: string, to: string): Promise<boolean> {
    try {
      await fs.link(this.blobPath(digest), to);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EEXIST';
    }
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', digest.replace(/^sha256:/, ''));
  }

  readBuild(key: string): Promise<BuildRecord | undefined> {
    return this.#read<BuildRecord>(join(this.dir, 'builds', `${key}.json`));
  }

  async writeBuild(key: string, record: BuildRecord): Promise<void> {
    const dir = join(this.dir, 'builds');
    await ensureDirectory(dir);
    await writeFileAtomic(join(dir, `${key}.json`), `${JSON.stringify(record)}\n`);
  }

  async #read<T>(path: string): Promise<T | undefined> {
    try {
      return JSON.parse(await fs.readFile(path, 'utf8')) as T;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.#logger.debug({ path, err: String(err) }, 'unreadable cache record ignored');
      }
      return undefined;
    }
  }
}

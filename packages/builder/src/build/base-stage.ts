// SPDX-License-Identifier: Apache-2.0
// Step 2 of the pipeline (01 §4, §6.1): the base, the Debian suite it implies, its dpkg status.
import { dirname, resolve } from 'node:path';
import { VcError, type Logger } from '@verified-container/shared';
import type { Manifest } from '@verified-container/shared/manifest';
import type { ContentStore } from '../content/content-store.js';
import { readLockfile } from '../debian/lockfile.js';
import type { OciLayoutStore } from '../store/oci-layout-store.js';
import { RootFs } from '../steps/rootfs.js';
import { resolveBase, type PullImage, type ResolvedBase } from './base-image.js';
import type { BuildProgress } from './progress.js';

export interface BaseStageInput {
  readonly root: string;
  readonly store: OciLayoutStore;
  readonly content: ContentStore;
  /** `$VC_ROOT/cache`. */
  readonly cacheDir: string;
  readonly manifestPath: string;
  readonly lockPath: string;
  readonly shippedBasesDir: string;
  readonly buildShippedBase: (manifestPath: string) => Promise<void>;
  readonly pull?: PullImage;
  readonly progress: BuildProgress;
  readonly logger: Logger;
}

export interface BaseStage {
  readonly base: ResolvedBase;
  /** `[dependencies] suite`, else the base's; undefined when neither says (no packages then). */
  readonly suite: string | undefined;
  /** The base's `/var/lib/dpkg/status` ('' without one). */
  readonly baseStatus: string;
}

/**
 * Resolves `[base] image` (a lock for the same base pins its digest) and what the lock stage needs
 * from it. Packages without any suite → BUILD_SUITE_UNKNOWN.
 */
export async function baseStage(manifest: Manifest, input: BaseStageInput): Promise<BaseStage> {
  const base = await resolveBase(
    manifest.base.image,
    manifest.base.form,
    {
      root: input.root,
      store: input.store,
      content: input.content,
      cacheDir: resolve(input.cacheDir, 'build', 'bases'),
      manifestDir: dirname(input.manifestPath),
      shippedBasesDir: input.shippedBasesDir,
      buildShippedBase: input.buildShippedBase,
      ...(input.pull !== undefined ? { pull: input.pull } : {}),
      progress: input.progress,
      logger: input.logger,
    },
    await pinnedBaseDigest(input.lockPath, manifest.base.image),
  );
  const rootfs = new RootFs({ content: input.content, mtime: 0, entries: base.table.values() });
  const suite =
    manifest.dependencies.suite ??
    base.suite ??
    codenameOf((await rootfs.readText('/etc/os-release')) ?? '');
  if (suite === undefined && manifest.dependencies.packages.length > 0) {
    throw new VcError(
      'BUILD_SUITE_UNKNOWN',
      `no Debian suite for the packages: the base ${base.ref} does not imply one`,
      { hint: 'set [dependencies] suite = "bookworm"' },
    );
  }
  return { base, suite, baseStatus: (await rootfs.readText('/var/lib/dpkg/status')) ?? '' };
}

/** The base digest the lock pins, when the lock is for the same `[base] image`. */
async function pinnedBaseDigest(lockPath: string, ref: string): Promise<string | undefined> {
  const lock = await readLockfile(lockPath).catch(() => undefined);
  return lock?.base.ref === ref ? (lock.base.digest ?? undefined) : undefined;
}

/** `VERSION_CODENAME` of an os-release file. */
export function codenameOf(osRelease: string): string | undefined {
  return /^VERSION_CODENAME=["']?([a-z]+)["']?\s*$/m.exec(osRelease)?.[1];
}

// SPDX-License-Identifier: Apache-2.0
// The Debian packages of a built image (its SBOM rows), kept per image digest so a build on top of
// it lists the base's packages too (every package in the image's dpkg status is in the SBOM).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { InstalledPackage } from '@verified-container/shared/image';
import { poolUrl, type MirrorKind } from '../debian/apt-sources.js';
import { readDeb, toInstalledPackage } from '../debian/deb-reader.js';
import { downloadDebs, type FetchLike } from '../debian/download.js';
import type { Exec } from '../debian/exec.js';
import type { Lockfile } from '../debian/lockfile.js';
import { writeFileAtomic } from '../io/files.js';
import { mapLimit } from '../util/map-limit.js';

/** `$VC_ROOT/cache/build/packages/<image hex>.json`. */
function recordPath(cacheDir: string, imageDigest: string): string {
  return join(cacheDir, 'build', 'packages', `${imageDigest.slice('sha256:'.length)}.json`);
}

/** Records the SBOM rows of a committed image. */
export async function writeImagePackages(
  cacheDir: string,
  imageDigest: string,
  packages: readonly InstalledPackage[],
): Promise<void> {
  await fs.mkdir(join(cacheDir, 'build', 'packages'), { recursive: true });
  await writeFileAtomic(recordPath(cacheDir, imageDigest), JSON.stringify(packages));
}

export interface BasePackagesDeps {
  readonly cacheDir: string;
  readonly exec: Exec;
  readonly fetch: FetchLike;
  readonly mirrors: Readonly<Record<MirrorKind, string>>;
}

/**
 * The SBOM rows of a base image: recorded when it was built here, else read again from the .debs
 * of its own lock (downloaded if the cache lost them). A base without a lock of ours (an `oci:`
 * or registry image) contributes none.
 */
export async function basePackages(
  base: { readonly digest: string | null; readonly lock?: Lockfile },
  deps: BasePackagesDeps,
): Promise<InstalledPackage[]> {
  if (base.digest === null) return [];
  try {
    return JSON.parse(
      await fs.readFile(recordPath(deps.cacheDir, base.digest), 'utf8'),
    ) as InstalledPackage[];
  } catch {
    // Not recorded here: rebuild from the lock below.
  }
  if (base.lock === undefined) return [];
  const debs = await downloadDebs(deps.fetch, base.lock.packages, {
    cacheDir: deps.cacheDir,
    mirrors: deps.mirrors,
  });
  const packages = await mapLimit(debs, 4, async (deb) =>
    toInstalledPackage(
      deb.package,
      await readDeb(deps.exec, deb.path),
      poolUrl(deps.mirrors, deb.package.pocket, deb.package.filename),
    ),
  );
  await writeImagePackages(deps.cacheDir, base.digest, packages);
  return packages;
}

/** Base rows overlaid with the build's own (an upgraded package replaces its base row), by name. */
export function mergePackages(
  base: readonly InstalledPackage[],
  own: readonly InstalledPackage[],
): InstalledPackage[] {
  const byKey = new Map<string, InstalledPackage>();
  for (const p of [...base, ...own]) byKey.set(`${p.name}:${p.architecture}`, p);
  return [...byKey.values()].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : a.architecture < b.architecture ? -1 : 1,
  );
}

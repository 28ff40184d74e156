// SPDX-License-Identifier: Apache-2.0
// The packages layer of `install = "configure"` (01 §5.3): dpkg and the maintainer scripts run in
// the build sandbox (01 §5.4) on a directory copy of the rootfs, which is then read back.
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { VcError, type Logger } from '@verified-container/shared';
import type { FileEntry, InstalledPackage } from '@verified-container/shared/image';
import { poolUrl } from '../debian/apt-sources.js';
import { readDeb, toInstalledPackage } from '../debian/deb-reader.js';
import type { Exec } from '../debian/exec.js';
import { installDebs } from '../install/dpkg-install.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { RootFs } from '../steps/rootfs.js';
import type { ExtractPackagesOptions } from './packages-layer.js';
import { mapLimit } from '../util/map-limit.js';
import { readRootfsDir, writeRootfsDir } from './rootfs-dir.js';

export interface ConfigurePackagesDeps {
  readonly exec: Exec;
  readonly sandbox: Sandbox;
  readonly logger: Logger;
  /** Effective uid of the builder: the sandbox runs packages as root, so it must be 0. */
  readonly uid: number;
}

/**
 * Installs the packages over `rootfs` as `dpkg --unpack` + `dpkg --configure -a` would (see
 * `installDebs`), in a directory under `workDir`, and returns the resulting file table and the
 * SBOM rows. Needs root (the ownership dpkg sets must be real) and runc.
 */
export async function configurePackages(
  deps: ConfigurePackagesDeps,
  rootfs: RootFs,
  opts: ExtractPackagesOptions & { readonly workDir: string },
): Promise<{ entries: FileEntry[]; packages: InstalledPackage[] }> {
  if (deps.uid !== 0) {
    throw new VcError(
      'BUILD_TOOL_MISSING',
      'install = "configure" runs maintainer scripts in a runc sandbox as root; this builder is not root',
      { hint: 'run the build as root, or set [dependencies] install = "extract"' },
    );
  }
  const dir = await mkdtemp(join(opts.workDir, 'rootfs-'));
  try {
    await writeRootfsDir(dir, rootfs.entries(), rootfs.content);
    await installDebs(
      {
        rootfs: dir,
        debs: opts.debs.map((d) => d.path),
        mode: 'configure',
        sourceDateEpoch: opts.sourceDateEpoch,
        pathExclude: opts.pathExclude,
        pathInclude: opts.pathInclude,
        architecture: opts.architecture,
        workDir: opts.workDir,
      },
      { sandbox: deps.sandbox, exec: deps.exec, logger: deps.logger },
    );
    const entries = await readRootfsDir(dir, rootfs.content);
    const packages = await mapLimit(opts.debs, opts.concurrency ?? 4, async (deb) => {
      const contents = await readDeb(deps.exec, deb.path);
      opts.onRead?.(deb.package.name);
      return toInstalledPackage(
        deb.package,
        contents,
        poolUrl(opts.mirrors, deb.package.pocket, deb.package.filename),
      );
    });
    packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { entries, packages };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// SPDX-License-Identifier: Apache-2.0
// Names of the files a build writes to --out (01 §9) and into a .ctp (02 §3).
import { join } from 'node:path';

/** `<n>` of 01 §9: the image name with `/` → `_` (`cerro-torre/mariadb` → `cerro-torre_mariadb`). */
export function outStem(name: string): string {
  return name.replaceAll('/', '_');
}

export interface OutFiles {
  /** `<n>-<version>.ctp` */
  readonly package: string;
  /** `<n>-<version>.bundle.json` */
  readonly bundle: string;
  /** `<n>-<version>.spdx.json` */
  readonly sbom: string;
  /** `<n>-<version>.provenance.json` */
  readonly provenance: string;
}

/** The four --out files of a build, under `outDir`. Pure. */
export function outFiles(outDir: string, name: string, version: string): OutFiles {
  const base = `${outStem(name)}-${version}`;
  return {
    package: join(outDir, `${base}.ctp`),
    bundle: join(outDir, `${base}.bundle.json`),
    sbom: join(outDir, `${base}.spdx.json`),
    provenance: join(outDir, `${base}.provenance.json`),
  };
}

/** Member names of the `source/` part of a .ctp (02 §3). */
export function sourceMembers(name: string): { manifest: string; lock: string } {
  const n = outStem(name);
  return { manifest: `source/${n}.ctp`, lock: `source/${n}.lock.json` };
}

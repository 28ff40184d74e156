// SPDX-License-Identifier: Apache-2.0
// `vordr verify FILE.ctp` (05 §9): the package is extracted into a 0700 temporary directory,
// verified against its own `oci-layout/`, `attestations/bundle.json`, `source/<n>.ctp` and
// `manifest.toml` (04 §1, §3 steps 1 and 5), and the directory is removed. The store is not
// changed: no decision cache; only the audit record is appended (04 §10).
import { join } from 'node:path';
import { isVcError, type Problem } from '@verified-container/shared';
import { PACKAGE_LAYOUT_DIR, PACKAGE_MANIFEST_PATH } from '@verified-container/shared/image';
import type { ImageEvidence } from '@verified-container/shared/verify';
import { extractCtpToTemp, type TemporaryCtp } from '../image-load/extract-ctp.js';
import { checkPackageLayout } from './package-layout.js';
import { readBundleDir, type StoreBundleFiles } from './verify-inputs.js';
import {
  verifyImage,
  type SourceVerification,
  type VerifyImageOptions,
} from './verify-store-image.js';

export interface VerifyPackageOptions extends VerifyImageOptions {
  /** Where the package is extracted (default: the OS temporary directory). */
  readonly tmpDir?: string;
}

/** The verification of a package, with the name the header line shows. */
export type PackageVerification = SourceVerification & {
  /** `name:version` of its manifest.toml, when it has both. */
  readonly ref: string | undefined;
};

const NO_FILES: StoreBundleFiles = {
  dir: '',
  bundleBytes: undefined,
  metadata: undefined,
  manifest: undefined,
};

/**
 * Verifies the package file `path` (`display`: as the user named it). A package that breaks a rule
 * of 02 §3 is not an error but a decision (step 1, MALFORMED_BUNDLE, exit 2, audited); a file that
 * cannot be read at all, and the setup errors of {@link verifyImage}, are thrown. The temporary
 * directory is removed in every case.
 */
export async function verifyPackageFile(
  path: string,
  display: string,
  opts: VerifyPackageOptions,
): Promise<PackageVerification> {
  let pkg: TemporaryCtp;
  try {
    pkg = await extractCtpToTemp(path, {
      display,
      ...(opts.tmpDir !== undefined ? { parent: opts.tmpDir } : {}),
    });
  } catch (err) {
    if (!isVcError(err) || err.code !== 'MALFORMED_BUNDLE') throw err;
    // Step 1 failed: nothing else can be read.
    const packageProblems: Problem[] = [
      { code: 'MALFORMED_BUNDLE', path: '$', message: err.message },
    ];
    const v = await verifyImage(
      {
        digest: null,
        files: () => Promise.resolve(NO_FILES),
        evidence: () => Promise.resolve({ packageProblems }),
        cacheable: false,
      },
      opts,
    );
    return { ...v, ref: undefined };
  }
  try {
    let ref: string | undefined;
    const v = await verifyImage(
      {
        digest: null,
        files: () => readBundleDir(pkg.dir),
        evidence: async (files) => {
          const meta = files.metadata;
          if (meta?.name !== undefined && meta.version !== undefined) {
            ref = `${meta.name}:${meta.version}`;
          }
          return packageEvidence(pkg, files, ref, display);
        },
        cacheable: false,
      },
      opts,
    );
    return { ...v, ref };
  } finally {
    await pkg.close();
  }
}

/** Step 5's layout evidence from the package's own layout, and manifest.toml's image_digest. */
async function packageEvidence(
  pkg: TemporaryCtp,
  files: StoreBundleFiles,
  ref: string | undefined,
  display: string,
): Promise<ImageEvidence> {
  const layoutProblems: Problem[] = [];
  const malformed = (message: string) =>
    layoutProblems.push({ code: 'MALFORMED_BUNDLE', path: '$', message });
  if (files.metadata === undefined) {
    malformed(`the package ${display} has no ${PACKAGE_MANIFEST_PATH}`);
  }
  let layoutDigest: string | undefined;
  if (!pkg.files.some((p) => p.startsWith(`${PACKAGE_LAYOUT_DIR}/`))) {
    malformed(`the package ${display} has no ${PACKAGE_LAYOUT_DIR}/`);
  } else {
    const layout = await checkPackageLayout(
      join(pkg.dir, PACKAGE_LAYOUT_DIR),
      ref,
      `${display}: ${PACKAGE_LAYOUT_DIR}`,
    );
    layoutProblems.push(...layout.problems);
    layoutDigest = layout.digest;
  }
  const packageImageDigest = files.metadata?.imageDigest;
  return {
    layoutProblems,
    ...(layoutDigest !== undefined ? { layoutDigest } : {}),
    ...(packageImageDigest !== undefined ? { packageImageDigest } : {}),
  };
}

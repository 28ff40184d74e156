// SPDX-License-Identifier: Apache-2.0
// `export --format ctp` (01 §8, 02 §3): the package of an image.
import { VcError } from '@verified-container/shared';
import type { PackageMember } from '../build/package-archive.js';
import type { BuildProgress } from '../build/progress.js';
import { BUNDLE_PATH, PACKAGE_MANIFEST_PATH } from '../image-arg/image-bundle.js';
import type { ResolvedImage } from '../image-arg/open-image.js';
import { layoutMembers, ociLayoutPlan } from './oci-export.js';

/**
 * The members of the image's `.ctp` (02 §3): its bundle files (`manifest.toml`, `attestations/*`,
 * `source/**`) and an `oci-layout/` holding exactly this image as `ref` (`name:version`). The
 * same members, epoch and writer as the build's package, so the bytes are the same too. An image
 * without a bundle → MISSING_ATTESTATION; without `manifest.toml` (a layout's bundle artifact
 * carries only the bundle) → UNSUPPORTED.
 */
export async function packageMembers(
  image: Pick<ResolvedImage, 'argument' | 'bundle' | 'descriptor' | 'manifest' | 'blobs'>,
  ref: string,
  progress: BuildProgress,
): Promise<PackageMember[]> {
  const bundle = image.bundle;
  if (bundle === undefined || !bundle.paths.includes(BUNDLE_PATH)) {
    throw new VcError('MISSING_ATTESTATION', `${image.argument.text} has no attestation bundle`, {
      hint: 'a .ctp carries the bundle; export the image as oci or docker-archive instead',
    });
  }
  if (!bundle.paths.includes(PACKAGE_MANIFEST_PATH)) {
    throw new VcError(
      'UNSUPPORTED',
      `${image.argument.text} has a bundle but no package metadata (manifest.toml), so it cannot become a .ctp`,
      { hint: 'export it from the store or from its .ctp, or use --format oci' },
    );
  }
  const members: PackageMember[] = [];
  for (const path of bundle.paths) {
    if (path === 'oci-layout' || path.startsWith('oci-layout/')) continue;
    members.push({ path, bytes: await bundle.read(path) });
  }
  const plan = ociLayoutPlan({ ref, descriptor: image.descriptor, manifest: image.manifest });
  return [...members, ...layoutMembers(plan, image.blobs, progress, 'oci-layout/')];
}

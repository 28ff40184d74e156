// SPDX-License-Identifier: Apache-2.0
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import { parseJson } from '@verified-container/shared/json';
import { REF_NAME_ANNOTATION, type Descriptor } from '../oci/media-types.js';
import { writeContentAddressed } from './content-addressed.js';
import { parseTaggedName } from './image-reference.js';
import type { BlobReader } from './oci-layout-store.js';
import { toDescriptor, writeIndex } from './oci-index.js';

/** One image of an exported layout. */
export interface LayoutImage {
  /** `name:tag` → `org.opencontainers.image.ref.name`. */
  readonly ref: string;
  /** The image manifest's descriptor. */
  readonly manifest: Descriptor;
}

/**
 * Writes a standalone OCI image layout at `dir` (for `--out` and `.ctp` packaging): `oci-layout`,
 * the manifest, config and layer blobs of each image copied from `blobs` (each checked against
 * its digest), and an index.json (JCS) with one descriptor per image. `dir` is created if missing;
 * blobs already there are kept.
 */
export async function writeOciLayout(
  dir: string,
  blobs: BlobReader,
  images: readonly LayoutImage[],
): Promise<void> {
  const target = { tmpDir: dir, dir: join(dir, 'blobs', 'sha256') };
  const copy = async (d: Descriptor) => {
    await writeContentAddressed(target, blobs.openBlob(d.digest), {
      hex: d.digest.slice('sha256:'.length),
      size: d.size,
      mismatchCode: 'MALFORMED_BUNDLE',
      what: `blob ${d.digest}`,
    });
  };
  const manifests: Descriptor[] = [];
  for (const image of images) {
    parseTaggedName(image.ref);
    const bytes = await blobs.readBlob(image.manifest.digest);
    for (const d of referencedBlobs(bytes, image.manifest.digest)) await copy(d);
    await copy(image.manifest);
    manifests.push({
      mediaType: image.manifest.mediaType,
      digest: image.manifest.digest,
      size: image.manifest.size,
      annotations: { [REF_NAME_ANNOTATION]: image.ref },
    });
  }
  await writeIndex(dir, { manifests });
}

/** Config and layer descriptors of an image manifest. */
function referencedBlobs(bytes: Uint8Array, digest: string): Descriptor[] {
  try {
    const value = parseJson(bytes, { mode: 'strict', integersOnly: true });
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('not an object');
    }
    const layers = value['layers'];
    if (value['config'] === undefined || !Array.isArray(layers)) {
      throw new Error('config and layers are required');
    }
    return [toDescriptor(value['config']), ...layers.map(toDescriptor)];
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `manifest ${digest} is not an OCI image manifest`, {
      cause,
    });
  }
}

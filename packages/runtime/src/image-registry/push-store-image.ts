// SPDX-License-Identifier: Apache-2.0
// `vordr image push REF DEST` (05 §10.1): a store image and its attestation bundle to a registry,
// the way `cerro-torre push` stores them (01 §8).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { TaskProgress } from '@verified-container/host';
import {
  parseDestination,
  pushImage,
  type PushResult,
  type RegistryClient,
  type RegistryReference,
} from '@verified-container/host/registry';
import { findDescriptor } from '../image/resolve-image.js';
import { parseVordrImageReference } from '../image/image-reference.js';
import {
  IMAGE_NOT_FOUND_HINT,
  openBlob,
  readCheckedBlob,
  readStoreIndex,
} from '../image/store-image.js';
import { bundleDirOf } from '../image-load/store-writes.js';

export interface PushStoreImageOptions {
  readonly root: string;
  /** The store image (05 §2). */
  readonly source: string;
  /** `host/repo:tag`. */
  readonly destination: string;
  readonly openClient: (ref: RegistryReference) => Promise<RegistryClient>;
  readonly progress?: TaskProgress;
}

/**
 * Pushes the store image `source` to `destination`: blobs, manifest under the tag, then the
 * bundle artifact (referrers, else tag `sha256-<hex>.att`). A destination that is not
 * `host/repo:tag` → USAGE; an image not in the store → IMAGE_NOT_FOUND; an image without a
 * bundle is pushed unsigned (the result lists no bundle).
 */
export async function pushStoreImage(opts: PushStoreImageOptions): Promise<PushResult> {
  const destination = parseDestination(opts.destination, 'e.g. 127.0.0.1:5000/example/hello:1.0');
  const { manifests } = await readStoreIndex(opts.root);
  const image = findDescriptor(parseVordrImageReference(opts.source), manifests);
  if (image === undefined) {
    throw new VcError(
      'IMAGE_NOT_FOUND',
      `image ${JSON.stringify(opts.source)} is not in the store`,
      {
        hint: IMAGE_NOT_FOUND_HINT,
      },
    );
  }
  const bundlePath = join(bundleDirOf(opts.root, image.digest), 'attestations', 'bundle.json');
  const bundle = await fs.readFile(bundlePath).then(
    (b) => new Uint8Array(b),
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw new VcError('READ_FAILED', `cannot read ${bundlePath}`, { cause: err });
    },
  );
  return pushImage(
    {
      store: {
        readBlob: (digest) => readCheckedBlob(opts.root, digest),
        openBlob: (digest) => openBlob(opts.root, digest),
      },
      image: { mediaType: image.mediaType, digest: image.digest, size: image.size },
      destinations: [destination],
      ...(bundle !== undefined ? { bundle } : {}),
    },
    {
      openClient: opts.openClient,
      ...(opts.progress !== undefined ? { progress: opts.progress } : {}),
    },
  );
}

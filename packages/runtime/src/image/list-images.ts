// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { refNameOf } from '@verified-container/shared/oci';
import { vordrPaths } from '../store/vordr-paths.js';
import { readStoreImage, readStoreIndex } from './store-image.js';

/** One row of `vordr image ls` (05 §10.1). */
export interface ImageSummary {
  /** `name:tag`. */
  readonly ref: string;
  readonly name: string;
  readonly tag: string;
  readonly digest: string;
  /** `org.opencontainers.image.created` of the manifest, when set. */
  readonly created?: string;
  /** Bytes of manifest, config and layer blobs. */
  readonly size: number;
  /** Whether the store holds an attestation bundle for the digest (not a verification). */
  readonly signed: boolean;
}

/** Every tag of the store, sorted by `name:tag`; images whose blobs are damaged are skipped. */
export async function listImages(root: string): Promise<ImageSummary[]> {
  const { manifests } = await readStoreIndex(root);
  const rows: ImageSummary[] = [];
  for (const descriptor of manifests) {
    const ref = refNameOf(descriptor);
    const colon = ref === undefined ? -1 : ref.lastIndexOf(':');
    if (ref === undefined || colon <= 0) continue;
    let image;
    try {
      image = await readStoreImage(root, descriptor);
    } catch {
      continue;
    }
    const created = image.manifest.annotations?.['org.opencontainers.image.created'];
    rows.push({
      ref,
      name: ref.slice(0, colon),
      tag: ref.slice(colon + 1),
      digest: descriptor.digest,
      ...(created !== undefined ? { created } : {}),
      size:
        descriptor.size +
        image.manifest.config.size +
        image.layers.reduce((sum, layer) => sum + layer.size, 0),
      signed: await exists(
        join(vordrPaths(root).bundles, `sha256-${descriptor.digest.slice('sha256:'.length)}`),
      ),
    });
  }
  return rows.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

async function exists(path: string): Promise<boolean> {
  try {
    await fs.access(path);
    return true;
  } catch {
    return false;
  }
}

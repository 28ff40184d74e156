// SPDX-License-Identifier: Apache-2.0
import { promises as fs } from 'node:fs';
import { refNameOf } from '@verified-container/shared/oci';
import { resolveImage } from '../image/resolve-image.js';
import { readStoreIndex } from '../image/store-image.js';
import { bundleDirOf } from './store-writes.js';

/** `vordr image inspect` (and `inspect --type image`): what the store holds for an image. */
export interface ImageInspection {
  readonly digest: string;
  /** Every `name:tag` pointing at it. */
  readonly refs: readonly string[];
  readonly mediaType: string;
  readonly created?: string;
  readonly size: number;
  readonly configDigest: string;
  readonly config: unknown;
  readonly layers: readonly { digest: string; size: number; mediaType: string; diffId: string }[];
  readonly annotations: Readonly<Record<string, string>>;
  /** `bundles/sha256-<hex>` and its files, when the store has a bundle for the image. */
  readonly bundle?: { readonly path: string; readonly files: readonly string[] };
}

/** Resolves `ref` (05 §2) and describes the image; IMAGE_NOT_FOUND when it is not stored. */
export async function inspectImage(root: string, ref: string): Promise<ImageInspection> {
  const image = await resolveImage(root, ref);
  const { manifests } = await readStoreIndex(root);
  const refs = manifests
    .filter((d) => d.digest === image.digest)
    .map((d) => refNameOf(d))
    .filter((r): r is string => r !== undefined)
    .sort();
  const descriptor = manifests.find((d) => d.digest === image.digest);
  const bundlePath = bundleDirOf(root, image.digest);
  const files = await listFiles(bundlePath);
  const annotations = image.manifest.annotations ?? {};
  const created = annotations['org.opencontainers.image.created'];
  return {
    digest: image.digest,
    refs,
    mediaType: descriptor?.mediaType ?? image.manifest.mediaType,
    ...(created !== undefined ? { created } : {}),
    size:
      (descriptor?.size ?? 0) +
      image.manifest.config.size +
      image.layers.reduce((sum, l) => sum + l.size, 0),
    configDigest: image.configDigest,
    config: image.config,
    layers: image.layers.map((l) => ({
      digest: l.digest,
      size: l.size,
      mediaType: l.mediaType,
      diffId: l.diffId,
    })),
    annotations,
    ...(files !== undefined ? { bundle: { path: bundlePath, files } } : {}),
  };
}

async function listFiles(dir: string): Promise<string[] | undefined> {
  try {
    const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => `${e.parentPath ?? e.path}/${e.name}`.slice(dir.length + 1))
      .sort();
  } catch {
    return undefined;
  }
}

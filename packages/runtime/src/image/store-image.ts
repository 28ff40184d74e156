// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import {
  parseImageConfig,
  parseImageDocument,
  parseOciIndex,
  refNameOf,
  type Descriptor,
  type ImageConfigDocument,
  type ImageManifest,
  type OciIndex,
} from '@verified-container/shared/oci';
import { vordrPaths } from '../store/vordr-paths.js';

/** How a layer blob is compressed. */
export type LayerCompression = 'gzip' | 'none';

/** A layer of a resolved image: its blob and the digest of its uncompressed tar. */
export interface ImageLayer {
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
  readonly compression: LayerCompression;
  /** `sha256:` of the uncompressed tar (`rootfs.diff_ids`). */
  readonly diffId: string;
}

/** An image of the store, read and checked: what `run` needs of it. */
export interface StoreImage {
  /** `name:tag` the image was found by, when it was found by a tag. */
  readonly ref?: string;
  readonly name?: string;
  readonly tag?: string;
  /** `sha256:` of the image manifest bytes (the subject of its attestations). */
  readonly digest: string;
  readonly manifest: ImageManifest;
  readonly configDigest: string;
  readonly config: ImageConfigDocument;
  /** Bottom-up. */
  readonly layers: readonly ImageLayer[];
}

const LAYER_COMPRESSION: Readonly<Record<string, LayerCompression>> = {
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
};

/** The hint of IMAGE_NOT_FOUND (05 §4.1). */
export const IMAGE_NOT_FOUND_HINT =
  'build it with cerro-torre build …, load it with vordr image load …, or pull it with vordr image pull …';

/** Reads `images/index.json` of the store; absent → empty. Malformed → STATE_CORRUPT. */
export async function readStoreIndex(root: string): Promise<OciIndex> {
  const path = join(vordrPaths(root).images, 'index.json');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return { manifests: [] };
    throw new VcError('READ_FAILED', `cannot read ${path}`, { cause });
  }
  try {
    return parseOciIndex(bytes);
  } catch (cause) {
    throw new VcError('STATE_CORRUPT', `${path} is not a valid OCI image index`, { cause });
  }
}

/** The path of a blob of the store's layout. */
export function blobPath(root: string, digest: string): string {
  const match = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (match === null) {
    throw new VcError('MALFORMED_BUNDLE', `not a sha256 digest: ${JSON.stringify(digest)}`);
  }
  return join(vordrPaths(root).images, 'blobs', 'sha256', match[1]!);
}

/** Streams a blob (no check: the consumer hashes what it reads, as unpacking does). */
export function openBlob(root: string, digest: string): ReadStream {
  return createReadStream(blobPath(root, digest));
}

/** Reads a whole blob and checks its digest; missing or different → MALFORMED_BUNDLE. */
export async function readCheckedBlob(root: string, digest: string): Promise<Uint8Array> {
  const path = blobPath(root, digest);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(path));
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `blob ${digest} is missing from the image store`, {
      cause,
      hint: 'reload the image (vordr image load) or rebuild it',
    });
  }
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest) {
    throw new VcError('MALFORMED_BUNDLE', `blob ${digest} has the digest ${actual}`, {
      hint: 'the image store is damaged; reload or rebuild the image',
    });
  }
  return bytes;
}

/**
 * Reads the image whose manifest descriptor is `descriptor`: manifest and config blobs (digests
 * checked), layers with their diff ids. Inconsistent → MALFORMED_BUNDLE; a layer that is not a
 * (gzip'd) tar → UNSUPPORTED.
 */
export async function readStoreImage(root: string, descriptor: Descriptor): Promise<StoreImage> {
  const digest = descriptor.digest;
  const bytes = await readCheckedBlob(root, digest);
  let manifest: ImageManifest;
  try {
    const doc = parseImageDocument(bytes, descriptor.mediaType, `manifest ${digest}`);
    if (doc.kind !== 'manifest') throw new Error('it is an index, not an image manifest');
    manifest = doc.manifest;
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `manifest ${digest} is not an OCI image manifest`, {
      cause,
    });
  }
  let config: ImageConfigDocument;
  try {
    config = parseImageConfig(
      await readCheckedBlob(root, manifest.config.digest),
      `config of ${digest}`,
    );
  } catch (cause) {
    if (cause instanceof VcError) throw cause;
    throw new VcError('MALFORMED_BUNDLE', (cause as Error).message, { cause });
  }
  if (config.diffIds.length !== manifest.layers.length) {
    throw new VcError(
      'MALFORMED_BUNDLE',
      `image ${digest} has ${manifest.layers.length} layers but ${config.diffIds.length} diff ids`,
    );
  }
  const layers = manifest.layers.map((layer, i): ImageLayer => {
    const compression = LAYER_COMPRESSION[layer.mediaType];
    if (compression === undefined) {
      throw new VcError(
        'UNSUPPORTED',
        `image ${digest}: layer ${layer.digest} has the media type ${layer.mediaType}`,
        { hint: 'vordr runs layers that are tars, plain or gzip-compressed' },
      );
    }
    return {
      digest: layer.digest,
      size: layer.size,
      mediaType: layer.mediaType,
      compression,
      diffId: config.diffIds[i]!,
    };
  });
  const ref = refNameOf(descriptor);
  const colon = ref === undefined ? -1 : ref.lastIndexOf(':');
  return {
    ...(ref !== undefined && colon > 0
      ? { ref, name: ref.slice(0, colon), tag: ref.slice(colon + 1) }
      : {}),
    digest,
    manifest,
    configDigest: manifest.config.digest,
    config,
    layers,
  };
}

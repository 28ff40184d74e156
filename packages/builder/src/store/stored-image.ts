// SPDX-License-Identifier: Apache-2.0
// An image manifest and its config, read from a blob store: what a base contributes to a build.
import { VcError } from '@verified-container/shared';
import { parseJson, type JsonValue } from '@verified-container/shared/json';
import { baseConfigOf } from '@verified-container/shared/oci';
import type { BaseConfig } from '../oci/image-config.js';
import type { Descriptor } from '../oci/media-types.js';
import { parseImageManifest } from '../image-arg/image-manifest-reader.js';
import type { BlobReader } from './oci-layout-store.js';

/** Layer media types a base may use (all gzip'd tars). */
const GZIP_LAYER_TYPES = new Set([
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
]);

/** A layer of a stored image: its blob and the digest of its uncompressed tar. */
export interface StoredLayer {
  readonly descriptor: Descriptor;
  readonly diffId: string;
}

export interface StoredImage {
  /** `sha256:` of the image manifest. */
  readonly digest: string;
  readonly layers: readonly StoredLayer[];
  readonly config: BaseConfig;
  readonly architecture: string;
  readonly os: string;
}

/**
 * Reads the image manifest `digest` (the one manifest parser of the builder) and its config from
 * `blobs` (digests checked by the reader). A manifest that is not one → MALFORMED_BUNDLE; a config
 * whose `rootfs.diff_ids` do not match the layers → STATE_CORRUPT; layers that are not gzip'd
 * tars → UNSUPPORTED.
 */
export async function readStoredImage(blobs: BlobReader, digest: string): Promise<StoredImage> {
  const manifest = parseImageManifest(await blobs.readBlob(digest), digest);
  const config = object(await readJson(blobs, manifest.config.digest), `config of ${digest}`);
  const rootfs = object(config['rootfs'], `config of ${digest} rootfs`);
  const diffIds = array(rootfs['diff_ids'], `config of ${digest} rootfs.diff_ids`).map((d) =>
    typeof d === 'string' ? d : '',
  );
  if (diffIds.length !== manifest.layers.length) {
    throw corrupt(
      `image ${digest} has ${manifest.layers.length} layers but ${diffIds.length} diff ids`,
    );
  }
  const layers = manifest.layers.map((descriptor, i) => {
    if (!GZIP_LAYER_TYPES.has(descriptor.mediaType)) {
      throw new VcError(
        'UNSUPPORTED',
        `image ${digest}: layer ${descriptor.digest} has the media type ${descriptor.mediaType}`,
        { hint: 'use a base whose layers are gzip-compressed tars' },
      );
    }
    return { descriptor, diffId: diffIds[i] ?? '' };
  });
  const c = config['config'] === undefined ? {} : object(config['config'], `config of ${digest}`);
  return {
    digest,
    layers,
    config: baseConfigOf(c),
    architecture: typeof config['architecture'] === 'string' ? config['architecture'] : '',
    os: typeof config['os'] === 'string' ? config['os'] : '',
  };
}

async function readJson(blobs: BlobReader, digest: string): Promise<JsonValue> {
  const bytes = await blobs.readBlob(digest);
  try {
    return parseJson(bytes, { mode: 'strict' });
  } catch (cause) {
    throw corrupt(`blob ${digest} is not JSON`, cause);
  }
}

function object(v: JsonValue | undefined, what: string): Record<string, JsonValue> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw corrupt(`${what} is not an object`);
  return v;
}

function array(v: JsonValue | undefined, what: string): JsonValue[] {
  if (!Array.isArray(v)) throw corrupt(`${what} is not an array`);
  return v;
}

function corrupt(message: string, cause?: unknown): VcError {
  return new VcError('STATE_CORRUPT', message, cause === undefined ? {} : { cause });
}

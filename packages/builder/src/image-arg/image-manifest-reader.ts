// SPDX-License-Identifier: Apache-2.0
import { VcError, parseRfc3339 } from '@verified-container/shared';
import { parseJson, type JsonValue } from '@verified-container/shared/json';
import { toOciMediaType, type Descriptor } from '../oci/media-types.js';
import { toDescriptor } from '../store/oci-index.js';
import type { BlobReader } from '../store/oci-layout-store.js';

/** An image manifest as the exporters need it. */
export interface ImageManifest {
  /** The blob bytes, as stored. */
  readonly bytes: Uint8Array;
  readonly config: Descriptor;
  /** Bottom-up, media types as stored. */
  readonly layers: readonly Descriptor[];
  readonly annotations: Readonly<Record<string, string>>;
}

/** The manifest annotation our builder sets to the epoch (02 §2). */
export const CREATED_ANNOTATION = 'org.opencontainers.image.created';
const TITLE_ANNOTATION = 'org.opencontainers.image.title';
const VERSION_ANNOTATION = 'org.opencontainers.image.version';

/** Reads and parses an image manifest (digest checked by `blobs`); not one → MALFORMED_BUNDLE. */
export async function readImageManifest(
  blobs: BlobReader,
  descriptor: Descriptor,
): Promise<ImageManifest> {
  return parseImageManifest(await blobs.readBlob(descriptor.digest), descriptor.digest);
}

/** Pure part of {@link readImageManifest}. */
export function parseImageManifest(bytes: Uint8Array, digest: string): ImageManifest {
  try {
    const value = parseJson(bytes, { mode: 'strict', integersOnly: true });
    if (!isObject(value)) throw new Error('not a JSON object');
    const layers = value['layers'];
    if (value['config'] === undefined || !Array.isArray(layers)) {
      throw new Error('config and layers are required');
    }
    const annotations = value['annotations'];
    return {
      bytes,
      config: toDescriptor(value['config']),
      layers: layers.map(toDescriptor),
      annotations: isObject(annotations) ? stringsOf(annotations) : {},
    };
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `manifest ${digest} is not an OCI image manifest`, {
      cause,
    });
  }
}

/**
 * The epoch of an image in seconds (01 §6.3): its `org.opencontainers.image.created` annotation,
 * which our builder sets to SOURCE_DATE_EPOCH; 0 when absent or unreadable. Archive mtimes use
 * it, so an export is as reproducible as the image.
 */
export function imageEpoch(manifest: Pick<ImageManifest, 'annotations'>): number {
  const created = manifest.annotations[CREATED_ANNOTATION];
  const ms = created === undefined ? null : parseRfc3339(created);
  return ms === null || ms < 0 ? 0 : Math.floor(ms / 1000);
}

/** `title:version` from the manifest annotations (02 §2), when both are there. */
export function annotatedRef(manifest: Pick<ImageManifest, 'annotations'>): string | undefined {
  const title = manifest.annotations[TITLE_ANNOTATION];
  const version = manifest.annotations[VERSION_ANNOTATION];
  return title !== undefined && version !== undefined ? `${title}:${version}` : undefined;
}

/** Layer media types the exporters can read, rewritten to OCI names; others → UNSUPPORTED. */
export function layerCompression(layer: Descriptor): 'gzip' | 'none' {
  switch (toOciMediaType(layer.mediaType)) {
    case 'application/vnd.oci.image.layer.v1.tar+gzip':
      return 'gzip';
    case 'application/vnd.oci.image.layer.v1.tar':
      return 'none';
    default:
      throw new VcError(
        'UNSUPPORTED',
        `layer ${layer.digest} has media type ${layer.mediaType}; only tar and tar+gzip layers can be exported`,
      );
  }
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringsOf(v: { [key: string]: JsonValue }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

// SPDX-License-Identifier: Apache-2.0
import { VcError, parseRfc3339 } from '@verified-container/shared';
import { toOciMediaType, type Descriptor } from '../oci/media-types.js';
import { parseImageDocument } from '../registry/image-documents.js';
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

/** Pure part of {@link readImageManifest}: the registry document parser, single images only. */
export function parseImageManifest(bytes: Uint8Array, digest: string): ImageManifest {
  let doc: ReturnType<typeof parseImageDocument>;
  try {
    doc = parseImageDocument(bytes, undefined, `manifest ${digest}`);
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `manifest ${digest} is not an OCI image manifest`, {
      cause,
    });
  }
  if (doc.kind !== 'manifest') {
    throw new VcError('MALFORMED_BUNDLE', `manifest ${digest} is an index, not an image manifest`);
  }
  return {
    bytes,
    config: doc.manifest.config,
    layers: doc.manifest.layers,
    annotations: doc.manifest.annotations ?? {},
  };
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

// SPDX-License-Identifier: Apache-2.0

/** Media types of the blobs we write (02 §2). */
export const MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
export const INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
export const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** Annotation naming a tag in an image layout's `index.json` (00 §4). */
export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  /** `sha256:<64 lowercase hex>`. */
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

const DOCKER_TO_OCI: Readonly<Record<string, string>> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': LAYER_MEDIA_TYPE,
  'application/vnd.docker.image.rootfs.diff.tar': 'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.docker.container.image.v1+json': CONFIG_MEDIA_TYPE,
  'application/vnd.docker.distribution.manifest.v2+json': MANIFEST_MEDIA_TYPE,
};

/**
 * The OCI media type for a base image's blob (02 §2: Docker types are rewritten to their OCI
 * equivalents; same bytes, same digest). Other types are returned unchanged.
 */
export function toOciMediaType(mediaType: string): string {
  return DOCKER_TO_OCI[mediaType] ?? mediaType;
}

/** The OCI empty descriptor's media type (image-spec "Guidance for an Empty Descriptor"). */
export const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
/** The two bytes `{}` the empty descriptor names. */
export const EMPTY_BLOB: Readonly<Uint8Array> = Uint8Array.of(0x7b, 0x7d);
/** The empty descriptor: sha256 of `{}`, size 2 (an artifact's config). */
export const EMPTY_DESCRIPTOR: Descriptor = {
  mediaType: EMPTY_MEDIA_TYPE,
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
};

export const DOCKER_MANIFEST_MEDIA_TYPE = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST_MEDIA_TYPE =
  'application/vnd.docker.distribution.manifest.list.v2+json';
/** Docker's schema 1, which has no content-addressed config; refused. */
export const DOCKER_SCHEMA1_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'application/vnd.docker.distribution.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
]);

/** Single-image manifests. */
export const IMAGE_MANIFEST_MEDIA_TYPES: ReadonlySet<string> = new Set([
  MANIFEST_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
]);

/** Multi-platform indexes. */
export const INDEX_MEDIA_TYPES: ReadonlySet<string> = new Set([
  INDEX_MEDIA_TYPE,
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
]);

/** A media type without its parameters, lower-cased (`…+json; charset=utf-8` → `…+json`). */
export function bareMediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

// SPDX-License-Identifier: Apache-2.0
// Media types the registry client asks for and understands.
import { INDEX_MEDIA_TYPE, MANIFEST_MEDIA_TYPE } from '../oci/media-types.js';

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

/** The `Accept` header of manifest requests: every type we can read. */
export const MANIFEST_ACCEPT = [
  MANIFEST_MEDIA_TYPE,
  INDEX_MEDIA_TYPE,
  DOCKER_MANIFEST_MEDIA_TYPE,
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
].join(', ');

/** A media type without its parameters, lower-cased (`…+json; charset=utf-8` → `…+json`). */
export function bareMediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

// SPDX-License-Identifier: Apache-2.0
// `index.json` of an OCI image layout given on the command line (`oci:<dir>[:<ref>]`, a package's
// `oci-layout/`): which manifest a ref names.
import { VcError } from '@verified-container/shared';
import { parseJson, type JsonValue } from '@verified-container/shared/json';
import { MANIFEST_MEDIA_TYPE, toOciMediaType, type Descriptor } from '../oci/media-types.js';
import { refNameOf, toDescriptor } from '../store/oci-index.js';

/** One descriptor of a layout's index, with the `artifactType` an artifact manifest carries. */
export interface LayoutIndexEntry {
  readonly descriptor: Descriptor;
  readonly artifactType?: string;
}

const INDEX_MEDIA_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/**
 * The manifests of an `index.json` (strict JSON, `schemaVersion` 2, well-formed descriptors);
 * anything else → MALFORMED_BUNDLE naming `where`. Pure.
 */
export function parseLayoutIndex(bytes: Uint8Array, where: string): LayoutIndexEntry[] {
  try {
    const value = parseJson(bytes, { mode: 'strict', integersOnly: true });
    if (!isObject(value) || value['schemaVersion'] !== 2 || !Array.isArray(value['manifests'])) {
      throw new Error('schemaVersion 2 and a manifests array are required');
    }
    return value['manifests'].map((m) => {
      const artifactType = isObject(m) ? m['artifactType'] : undefined;
      return {
        descriptor: toDescriptor(m),
        ...(typeof artifactType === 'string' ? { artifactType } : {}),
      };
    });
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `${where}/index.json is not a valid OCI image index`, {
      cause,
      hint: `${where} must be an OCI image layout (oci-layout, index.json, blobs/)`,
    });
  }
}

/**
 * The image manifest `ref` names (`org.opencontainers.image.ref.name`); without `ref`, the index
 * must hold exactly one image manifest: artifact manifests (with `artifactType`, such as an
 * exported bundle) are not counted. Not found → IMAGE_NOT_FOUND listing the refs there are;
 * several without a ref → AMBIGUOUS_REFERENCE; an image index → UNSUPPORTED. Pure.
 */
export function selectLayoutImage(
  entries: readonly LayoutIndexEntry[],
  ref: string | undefined,
  where: string,
): Descriptor {
  const images = entries.filter((e) => e.artifactType === undefined);
  const refs = entries.flatMap((e) => refNameOf(e.descriptor) ?? []);
  let found: Descriptor | undefined;
  if (ref !== undefined) {
    found = entries.find((e) => refNameOf(e.descriptor) === ref)?.descriptor;
    if (found === undefined) {
      throw new VcError('IMAGE_NOT_FOUND', `${where} has no image named ${JSON.stringify(ref)}`, {
        hint: refs.length > 0 ? `it holds ${listRefs(refs)}` : 'its index names no image',
      });
    }
  } else {
    if (images.length === 0) {
      throw new VcError('IMAGE_NOT_FOUND', `${where} holds no image`);
    }
    if (images.length > 1) {
      throw new VcError(
        'AMBIGUOUS_REFERENCE',
        `${where} holds ${images.length} images; name one as oci:<dir>:<ref>`,
        refs.length > 0 ? { hint: `it holds ${listRefs(refs)}` } : {},
      );
    }
    found = images[0]?.descriptor;
  }
  if (found === undefined) throw new VcError('INTERNAL', 'no image selected');
  if (INDEX_MEDIA_TYPES.has(found.mediaType)) {
    throw new VcError(
      'UNSUPPORTED',
      `${where}: ${ref ?? 'the image'} is a multi-platform image index, not an image manifest`,
      { hint: 'copy one platform into a layout first, e.g. skopeo copy --override-arch …' },
    );
  }
  if (toOciMediaType(found.mediaType) !== MANIFEST_MEDIA_TYPE) {
    throw new VcError(
      'UNSUPPORTED',
      `${where}: ${ref ?? 'the image'} has media type ${found.mediaType}, not an image manifest`,
    );
  }
  return found;
}

function listRefs(refs: readonly string[]): string {
  const shown = refs.slice(0, 5).map((r) => JSON.stringify(r));
  return refs.length > 5 ? `${shown.join(', ')} and ${refs.length - 5} more` : shown.join(', ');
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

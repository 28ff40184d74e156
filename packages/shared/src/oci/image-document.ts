// SPDX-License-Identifier: Apache-2.0
// Image manifests and indexes as registries serve them (OCI image-spec, Docker v2 schema 2).
import { VcError } from '../errors.js';
import { parseJson, type JsonValue } from '../json/index.js';
import {
  DOCKER_SCHEMA1_MEDIA_TYPES,
  IMAGE_MANIFEST_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  bareMediaType,
  type Descriptor,
} from './media-types.js';
import { toDescriptor } from './oci-index.js';

/** The largest manifest or index accepted, bytes (the distribution spec's own limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** `platform` of an index entry. */
export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** A single-image manifest. Media types are kept as received (Docker or OCI). */
export interface ImageManifest {
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface IndexEntry extends Descriptor {
  readonly platform?: Platform;
}

/** A multi-platform index (OCI index or Docker manifest list). */
export interface ImageIndex {
  readonly mediaType: string;
  readonly manifests: readonly IndexEntry[];
}

export type ImageDocument =
  | { readonly kind: 'manifest'; readonly manifest: ImageManifest }
  | { readonly kind: 'index'; readonly index: ImageIndex };

/**
 * Parses manifest bytes. The type comes from the document's `mediaType`, else the response's
 * `Content-Type`, else its shape. Duplicate JSON members are refused (two readers must not see two
 * different documents in the same digest). REGISTRY_ERROR naming `what` when it is none of the
 * types we read.
 */
export function parseImageDocument(
  bytes: Uint8Array,
  contentType: string | undefined,
  what: string,
): ImageDocument {
  let doc: JsonValue;
  try {
    doc = parseJson(bytes, { mode: 'strict', integersOnly: false, maxBytes: MAX_MANIFEST_BYTES });
  } catch (cause) {
    throw invalid(what, `not valid JSON (${(cause as Error).message})`, cause);
  }
  if (!isObject(doc)) throw invalid(what, 'not a JSON object');
  const declared =
    typeof doc['mediaType'] === 'string'
      ? doc['mediaType']
      : contentType !== undefined
        ? bareMediaType(contentType)
        : undefined;
  if (declared !== undefined && DOCKER_SCHEMA1_MEDIA_TYPES.has(declared)) {
    throw new VcError('UNSUPPORTED', `${what} is a Docker schema 1 manifest`, {
      hint: 'push the image again with a current client (schema 2 or OCI)',
    });
  }
  if (doc['schemaVersion'] !== 2) throw invalid(what, 'schemaVersion is not 2');
  const isIndex =
    declared !== undefined && INDEX_MEDIA_TYPES.has(declared)
      ? true
      : declared !== undefined && IMAGE_MANIFEST_MEDIA_TYPES.has(declared)
        ? false
        : Array.isArray(doc['manifests']);
  try {
    if (isIndex) {
      const manifests = doc['manifests'];
      if (!Array.isArray(manifests)) throw new Error('manifests is not an array');
      return {
        kind: 'index',
        index: {
          mediaType: declared ?? 'application/vnd.oci.image.index.v1+json',
          manifests: manifests.map(toIndexEntry),
        },
      };
    }
    const layers = doc['layers'];
    if (!Array.isArray(layers)) throw new Error('layers is not an array');
    const config = doc['config'];
    if (config === undefined) throw new Error('config is missing');
    const subject = doc['subject'];
    const annotations = doc['annotations'];
    return {
      kind: 'manifest',
      manifest: {
        mediaType: declared ?? 'application/vnd.oci.image.manifest.v1+json',
        config: toDescriptor(config),
        layers: layers.map(toDescriptor),
        ...(typeof doc['artifactType'] === 'string' ? { artifactType: doc['artifactType'] } : {}),
        ...(subject !== undefined ? { subject: toDescriptor(subject) } : {}),
        ...(isObject(annotations) ? { annotations: stringRecord(annotations) } : {}),
      },
    };
  } catch (cause) {
    if (cause instanceof VcError) throw cause;
    throw invalid(what, (cause as Error).message, cause);
  }
}

/**
 * The entry of `index` for `platform`: same os and architecture, and the same variant when one
 * is asked for. Entries without a platform (attestations, signatures) never match. Undefined
 * when there is none.
 */
export function selectPlatform(index: ImageIndex, platform: Platform): IndexEntry | undefined {
  return index.manifests.find(
    (m) =>
      m.platform !== undefined &&
      IMAGE_MANIFEST_MEDIA_TYPES.has(m.mediaType) &&
      m.platform.os === platform.os &&
      m.platform.architecture === platform.architecture &&
      (platform.variant === undefined || m.platform.variant === platform.variant),
  );
}

/** `os/architecture[/variant]`. */
export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant !== undefined ? `/${p.variant}` : ''}`;
}

function toIndexEntry(value: JsonValue): IndexEntry {
  const descriptor = toDescriptor(value);
  const platform = isObject(value) ? value['platform'] : undefined;
  if (!isObject(platform)) return descriptor;
  const { os, architecture, variant } = platform;
  if (typeof os !== 'string' || typeof architecture !== 'string') return descriptor;
  return {
    ...descriptor,
    platform: { os, architecture, ...(typeof variant === 'string' ? { variant } : {}) },
  };
}

function invalid(what: string, why: string, cause?: unknown): VcError {
  return new VcError('REGISTRY_ERROR', `${what} is not an image manifest or index: ${why}`, {
    ...(cause !== undefined ? { cause } : {}),
  });
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringRecord(v: { [key: string]: JsonValue }): Record<string, string> {
  return Object.fromEntries(
    Object.entries(v).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

// SPDX-License-Identifier: Apache-2.0
// The attestation bundle as an OCI artifact manifest (01 §8 `push` and `export --format oci`),
// and where it goes in a registry without the referrers API.
import { VcError } from '@verified-container/shared';
import { BUNDLE_MEDIA_TYPE } from '@verified-container/shared/attestation';
import { sha256Digest } from '@verified-container/shared/crypto';
import { canonicalBytes, parseJson, type JsonValue } from '@verified-container/shared/json';
import {
  EMPTY_DESCRIPTOR,
  MANIFEST_MEDIA_TYPE,
  toDescriptor,
  type Descriptor,
} from '@verified-container/shared/oci';

export { EMPTY_BLOB, EMPTY_DESCRIPTOR, EMPTY_MEDIA_TYPE } from '@verified-container/shared/oci';

/** A JSON document as stored: its JCS bytes and the descriptor naming them. */
export interface JsonBlob {
  readonly bytes: Uint8Array;
  readonly descriptor: Descriptor;
}

/** An artifact manifest holding one bundle, with the bundle blob it names. */
export interface BundleArtifact {
  /** The artifact manifest (JCS bytes) and its descriptor, with `artifactType` for an index. */
  readonly manifest: JsonBlob & { readonly descriptor: ArtifactDescriptor };
  /** Descriptor of the bundle bytes (the artifact's only layer). */
  readonly bundle: Descriptor;
}

/** An index or referrers descriptor of an artifact manifest. */
export interface ArtifactDescriptor extends Descriptor {
  readonly artifactType: string;
}

/**
 * The artifact manifest of a bundle (01 §8): `artifactType` = the bundle media type, config = the
 * empty descriptor, one layer = the bundle bytes, `subject` = the image manifest. Pure.
 */
export function bundleArtifact(bundleBytes: Uint8Array, subject: Descriptor): BundleArtifact {
  // The bundle keeps its exact file bytes (02 §11: its digest is over them), never JCS.
  const bundle: Descriptor = {
    mediaType: BUNDLE_MEDIA_TYPE,
    digest: sha256Digest(bundleBytes),
    size: bundleBytes.byteLength,
  };
  const bytes = canonicalBytes({
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    artifactType: BUNDLE_MEDIA_TYPE,
    config: EMPTY_DESCRIPTOR,
    layers: [bundle],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
  });
  const blob: JsonBlob = {
    bytes,
    descriptor: { mediaType: MANIFEST_MEDIA_TYPE, digest: sha256Digest(bytes), size: bytes.length },
  };
  return {
    manifest: { ...blob, descriptor: { ...blob.descriptor, artifactType: BUNDLE_MEDIA_TYPE } },
    bundle,
  };
}

/** What an artifact manifest says, as far as finding a bundle needs. */
export interface ParsedArtifact {
  readonly artifactType?: string;
  readonly subject?: Descriptor;
  readonly layers: readonly Descriptor[];
}

/**
 * Reads an artifact manifest's `artifactType`, `subject` and layers; a manifest that is not a JSON
 * object with well-formed descriptors → MALFORMED_BUNDLE naming `what`. Pure.
 */
export function parseArtifactManifest(bytes: Uint8Array, what: string): ParsedArtifact {
  try {
    const value = parseJson(bytes, { mode: 'strict', integersOnly: true });
    if (!isObject(value)) throw new Error('not a JSON object');
    const layers = value['layers'];
    const subject = value['subject'];
    const artifactType = value['artifactType'];
    return {
      ...(typeof artifactType === 'string' ? { artifactType } : {}),
      ...(subject !== undefined ? { subject: toDescriptor(subject) } : {}),
      layers: Array.isArray(layers) ? layers.map(toDescriptor) : [],
    };
  } catch (cause) {
    throw new VcError('MALFORMED_BUNDLE', `${what} is not a valid OCI manifest`, { cause });
  }
}

/** The bundle layer of a parsed artifact that refers to `subjectDigest`, if it is one. */
export function bundleLayerOf(
  artifact: ParsedArtifact,
  subjectDigest: string,
): Descriptor | undefined {
  if (artifact.artifactType !== BUNDLE_MEDIA_TYPE) return undefined;
  if (artifact.subject?.digest !== subjectDigest) return undefined;
  return artifact.layers.find((l) => l.mediaType === BUNDLE_MEDIA_TYPE);
}

function isObject(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fallback tag of a registry without referrers API: `sha256-<image hex>.att`. */
export function attachmentTag(imageDigest: string): string {
  return `${imageDigest.replace(':', '-')}.att`;
}

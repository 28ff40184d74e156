// SPDX-License-Identifier: Apache-2.0
import { sha256Digest } from '@verified-container/shared/crypto';
import { canonicalBytes } from '@verified-container/shared/json';
import { epochToRfc3339 } from './image-config.js';
import { MANIFEST_MEDIA_TYPE, type Descriptor } from './media-types.js';

export interface ImageManifestInput {
  /** Descriptor of the config blob. */
  readonly config: Descriptor;
  /** Layer descriptors bottom-up (base layers first). */
  readonly layers: readonly Descriptor[];
  /** SOURCE_DATE_EPOCH in seconds → `org.opencontainers.image.created`. */
  readonly sourceDateEpoch: number;
  /** Image name (`[package] name`) → `.title`. */
  readonly title: string;
  /** `[package] version` → `.version`. */
  readonly version: string;
  /** The base image as referenced, with its manifest digest; absent for `scratch`. */
  readonly base?: { readonly name: string; readonly digest: string };
}

/** The image manifest of 02 §2; its blob is the JCS bytes (see `toJsonBlob`). */
export function buildImageManifest(input: ImageManifestInput): Record<string, unknown> {
  const annotations: Record<string, string> = {
    'org.opencontainers.image.created': epochToRfc3339(input.sourceDateEpoch),
    'org.opencontainers.image.title': input.title,
    'org.opencontainers.image.version': input.version,
  };
  if (input.base !== undefined) {
    annotations['org.opencontainers.image.base.name'] = input.base.name;
    annotations['org.opencontainers.image.base.digest'] = input.base.digest;
  }
  return {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: plainDescriptor(input.config),
    layers: input.layers.map(plainDescriptor),
    annotations,
  };
}

/** A JSON blob as stored: its JCS bytes (02 §1) and the descriptor naming them. */
export interface JsonBlob {
  readonly bytes: Uint8Array;
  readonly descriptor: Descriptor;
}

/** Serialises a config, manifest or index to JCS bytes and describes them. */
export function toJsonBlob(value: unknown, mediaType: string): JsonBlob {
  const bytes = canonicalBytes(value);
  return { bytes, descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length } };
}

function plainDescriptor(d: Descriptor): Descriptor {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    ...(d.annotations !== undefined ? { annotations: d.annotations } : {}),
  };
}

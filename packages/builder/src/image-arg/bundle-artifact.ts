// SPDX-License-Identifier: Apache-2.0
// Moved to @verified-container/host/registry (vordr pushes and pulls the same artifact).
export type {
  ArtifactDescriptor,
  BundleArtifact,
  ParsedArtifact,
} from '@verified-container/host/registry';
export {
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
  EMPTY_MEDIA_TYPE,
  bundleArtifact,
  bundleLayerOf,
  parseArtifactManifest,
} from '@verified-container/host/registry';

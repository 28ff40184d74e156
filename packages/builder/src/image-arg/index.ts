// SPDX-License-Identifier: Apache-2.0
// Image arguments of 01 §8: store references, `.ctp` packages, `oci:<dir>[:<ref>]` layouts.
export type { ImageArgument, PathKind } from './image-argument.js';
export { parseImageArgument, LAYOUT_PREFIX } from './image-argument.js';
export type { ResolvedImage, OpenImageOptions } from './open-image.js';
export { openImage, pathKindOf } from './open-image.js';
export type { ImageBundle } from './image-bundle.js';
export {
  BUNDLE_PATH,
  PACKAGE_MANIFEST_PATH,
  memoryBundle,
  directoryBundle,
} from './image-bundle.js';
export type { ImageManifest } from './image-manifest-reader.js';
export {
  CREATED_ANNOTATION,
  annotatedRef,
  imageEpoch,
  layerCompression,
  parseImageManifest,
  readImageManifest,
} from './image-manifest-reader.js';
export type { LayoutIndexEntry } from './layout-index.js';
export { parseLayoutIndex, selectLayoutImage } from './layout-index.js';
export { LayoutBlobReader, openVerifiedBlob } from './layout-blob-reader.js';
export type { ExtractedPackage, ExtractOptions, PackageLimits } from './ctp-package.js';
export {
  DEFAULT_PACKAGE_LIMITS,
  KNOWN_PACKAGE_FILES,
  extractPackage,
  memberParts,
  resolvesInside,
} from './ctp-package.js';
export type { ArtifactDescriptor, BundleArtifact, ParsedArtifact } from './bundle-artifact.js';
export {
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
  EMPTY_MEDIA_TYPE,
  bundleArtifact,
  bundleLayerOf,
  parseArtifactManifest,
} from './bundle-artifact.js';

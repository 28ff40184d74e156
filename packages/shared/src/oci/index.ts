// SPDX-License-Identifier: Apache-2.0
// Pure OCI image-layout documents shared by cerro-torre and vordr (02 §2, 05 §2).
export type { Descriptor } from './media-types.js';
export {
  MANIFEST_MEDIA_TYPE,
  INDEX_MEDIA_TYPE,
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  REF_NAME_ANNOTATION,
  EMPTY_MEDIA_TYPE,
  EMPTY_BLOB,
  EMPTY_DESCRIPTOR,
  DOCKER_MANIFEST_MEDIA_TYPE,
  DOCKER_MANIFEST_LIST_MEDIA_TYPE,
  DOCKER_SCHEMA1_MEDIA_TYPES,
  IMAGE_MANIFEST_MEDIA_TYPES,
  INDEX_MEDIA_TYPES,
  toOciMediaType,
  bareMediaType,
} from './media-types.js';
export type { ImageReference } from './image-reference.js';
export { DEFAULT_TAG, parseImageReference, refName, parseTaggedName } from './image-reference.js';
export type { OciIndex } from './oci-index.js';
export {
  OCI_LAYOUT_JSON,
  refNameOf,
  parseOciIndex,
  toOciIndex,
  toDescriptor,
} from './oci-index.js';
export type {
  Platform,
  ImageManifest,
  IndexEntry,
  ImageIndex,
  ImageDocument,
} from './image-document.js';
export {
  MAX_MANIFEST_BYTES,
  parseImageDocument,
  selectPlatform,
  formatPlatform,
} from './image-document.js';
export type { BaseConfig, ImageConfigDocument } from './image-config.js';
export { parseImageConfig, toImageConfig, baseConfigOf } from './image-config.js';

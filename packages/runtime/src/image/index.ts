// SPDX-License-Identifier: Apache-2.0
export type { VordrImageReference } from './image-reference.js';
export { parseVordrImageReference, MIN_DIGEST_PREFIX } from './image-reference.js';
export type { StoreImage, ImageLayer, LayerCompression } from './store-image.js';
export {
  readStoreIndex,
  readStoreImage,
  readCheckedBlob,
  blobPath,
  openBlob,
  IMAGE_NOT_FOUND_HINT,
} from './store-image.js';
export { resolveImage, findDescriptor } from './resolve-image.js';
export type { ImageSummary } from './list-images.js';
export { listImages } from './list-images.js';

// SPDX-License-Identifier: Apache-2.0
// `vordr image load | ls | rm | inspect` (05 §10.1) and the `.ctp` reader vordr uses.
export type { TarMember, TarFormat } from './tar-file.js';
export { tarFormatOf, readHead, readTarStream, readTarFile } from './tar-file.js';
export type { ExtractCtpOptions, ExtractedCtp, TemporaryCtp } from './extract-ctp.js';
export { extractCtp, extractCtpToTemp } from './extract-ctp.js';
export type { LayoutImage } from './layout-images.js';
export { readLayoutImages, layoutBlobPath } from './layout-images.js';
export type { LoadSourceKind, LoadImageOptions, LoadedImage, LoadResult } from './load-image.js';
export { loadImage, planRefs } from './load-image.js';
export type { ResolveRunImageOptions } from './resolve-run-image.js';
export { resolveRunImage } from './resolve-run-image.js';
export type { RemoveImagesOptions, RemovedImage } from './remove-image.js';
export { removeImages } from './remove-image.js';
export type { ImageInspection } from './inspect-image.js';
export { inspectImage } from './inspect-image.js';
export type { ImageTableOptions } from './format-images.js';
export {
  formatImageTable,
  formatImageIds,
  formatImages,
  shortDigest,
  humanSize,
  ago,
  alignColumns,
} from './format-images.js';
export type { UsageRecord } from './container-usage.js';
export { imageDigestOf, volumeNamesOf, readUsageRecords } from './container-usage.js';
export type { BundleSourceFile } from './store-writes.js';
export {
  bundleDirOf,
  ensureStoreFile,
  writeStoreIndex,
  storeBlobFile,
  replaceBundleDir,
} from './store-writes.js';

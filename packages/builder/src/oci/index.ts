// SPDX-License-Identifier: Apache-2.0
export type { TarHeader, TarTypeflag } from './ustar.js';
export { encodeHeader, splitUstarName, BLOCK_SIZE } from './ustar.js';
export type { LayerInput, TarMember } from './plan-layer.js';
export { planLayer, WHITEOUT_PREFIX, OPAQUE_WHITEOUT } from './plan-layer.js';
export type { ContentSource, PackOptions, PackedLayer } from './tar-writer.js';
export { tarLayer, writeLayer } from './tar-writer.js';
export { GZIP_HEADER, GZIP_LEVEL, createDeterministicGzip, gzipBytes } from './gzip.js';
export type { FileTable, LayerDiff } from './layer-diff.js';
export { diffLayers, applyLayer, isSameEntry } from './layer-diff.js';
export type {
  LayerOrigin,
  HealthcheckInput,
  BaseConfig,
  ImageConfigInput,
} from './image-config.js';
export {
  buildImageConfig,
  mergeEnv,
  createdBy,
  epochToRfc3339,
  DEFAULT_PATH,
} from './image-config.js';
export type { ImageManifestInput, JsonBlob } from './image-manifest.js';
export { buildImageManifest, toJsonBlob } from './image-manifest.js';
export type { Descriptor } from './media-types.js';
export {
  MANIFEST_MEDIA_TYPE,
  INDEX_MEDIA_TYPE,
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  REF_NAME_ANNOTATION,
  toOciMediaType,
} from './media-types.js';

// SPDX-License-Identifier: Apache-2.0
// `cerro-torre build` as a programmatic API (01 §6, §9).
export type {
  BuildDeps,
  BuildOptions,
  BuildResult,
  BuildStatus,
  LayerKindName,
  LayerReport,
} from './build-types.js';
export { DEFAULT_OUT_DIR, ManifestInvalidError, buildImage } from './build-image.js';
export type { BuildProgress } from './progress.js';
export {
  LineProgress,
  PROGRESS_INTERVAL_MS,
  TtyProgress,
  formatBytes,
  silentProgress,
} from './progress.js';
export type { OutFiles } from './out-files.js';
export { outFiles, outStem } from './out-files.js';
export { buildResultDocument, renderSummary, shortDigest } from './summary.js';
export type { SourceDateEpoch, EpochSource } from './source-date-epoch.js';
export { resolveSourceDateEpoch } from './source-date-epoch.js';
export { verboseLogger } from './verbose-logger.js';

// SPDX-License-Identifier: Apache-2.0
// `cerro-torre export` and `sbom` as a programmatic API (01 §8).
export type { ExportDeps, ExportFormat, ExportOptions, ExportResult } from './export-image.js';
export { DEFAULT_EXPORT_FORMAT, EXPORT_FORMATS, exportImage } from './export-image.js';
export type { DockerArchiveInput, DockerArchiveLayout } from './docker-archive.js';
export { diffIdsOf, dockerArchiveLayout, writeDockerArchive } from './docker-archive.js';
export type { LayoutPlan, LayoutPlanInput } from './oci-export.js';
export { layoutMembers, ociLayoutPlan, writeLayoutDirectory } from './oci-export.js';
export { packageMembers } from './ctp-export.js';
export type { OutputKind } from './output-target.js';
export { checkOutput, publishDirectory, publishFile, scratchDirectory } from './output-target.js';
export { writeTarFile } from './tar-file.js';
export type { SigstoreBundleFile, SigstoreDsseBundle } from './sigstore-bundle.js';
export {
  SIGSTORE_BUNDLE_MEDIA_TYPE,
  toSigstoreBundles,
  writeSigstoreBundles,
} from './sigstore-bundle.js';
export { LARGE_BLOB_BYTES, withProgress } from './blob-progress.js';
export type { SbomFromBundle } from './sbom-document.js';
export { sbomFromBundle, sbomSummary } from './sbom-document.js';

// SPDX-License-Identifier: Apache-2.0

// Build facts shared by the generators.
export type {
  ArtifactInput,
  ComposerPackageInput,
  BaseDpkgPackage,
  BaseImageInput,
  ForeignBaseInput,
  DebianDependencyInput,
} from './inputs.js';
export { MAX_SOURCE_DATE_EPOCH } from './inputs.js';

// Package URLs (02 §5).
export type { OciPurlParts } from './purls.js';
export {
  encodeQualifierValue,
  debPurl,
  genericPurl,
  composerPurl,
  ociPurl,
  imagePurl,
  baseImagePurl,
} from './purls.js';

// SPDX 2.3 SBOM (02 §5).
export type {
  SbomInput,
  OsRelease,
  SpdxDocument,
  SpdxPackage,
  SpdxChecksum,
  SpdxExternalRef,
  SpdxRelationship,
  SpdxRelationshipType,
  SpdxExtractedLicense,
} from './spdx-sbom.js';
export {
  SPDX_IMAGE_ID,
  SPDX_OPERATING_SYSTEM_ID,
  SPDX_BASE_IMAGE_ID,
  SPDX_NAMESPACE_PREFIX,
  COMPOSER_CHECKSUM_COMMENT,
  generateSbom,
  parseNameEmail,
} from './spdx-sbom.js';
export { sanitizeIdPart } from './spdx-ids.js';
export type { DependencyAlternative, DependencyGroup } from './debian-depends.js';
export { parseDependencyField } from './debian-depends.js';

// SLSA provenance (02 §4.1) and the dependency-provenance gate (04 §6.4).
export type {
  SlsaProvenance,
  ResourceDescriptor,
  FileParameter,
  FileInput,
  ProvenanceInput,
} from './slsa-provenance.js';
export {
  CERRO_TORRE_BUILD_TYPE,
  CERRO_TORRE_BUILDER_ID,
  generateProvenance,
  declaredFromManifest,
} from './slsa-provenance.js';
export type { CheckDependencyProvenanceOptions } from './check-dependency-provenance.js';
export { MISSING_PROVENANCE, checkDependencyProvenance } from './check-dependency-provenance.js';

// File integrity and tree digests (02 §6).
export type { FileIntegrityPredicate } from './file-integrity.js';
export { FILE_INTEGRITY_FIELDS, generateFileIntegrity, treeDigest } from './file-integrity.js';

// Statements in bundle order (02 §4).
export type { BuildStatementsInput, VulnerabilityScanPredicate } from './statements.js';
export { buildStatements } from './statements.js';

// Image config labels (02 §2).
export type {
  SecurityProfile,
  RuntimeProfile,
  EgressAllowJson,
  IngressAllowJson,
  ImageLabelsInput,
} from './labels.js';
export {
  SECURITY_LABEL,
  RUNTIME_LABEL,
  SELINUX_MODULE_LABEL,
  SELINUX_POLICY_SHA256_LABEL,
  RESERVED_LABEL_PREFIX,
  securityProfileFromManifest,
  runtimeProfileFromManifest,
  ociImageLabels,
  buildImageLabels,
} from './labels.js';

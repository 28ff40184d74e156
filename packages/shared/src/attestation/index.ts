// SPDX-License-Identifier: Apache-2.0

// DSSE envelopes and in-toto statements (02 §4, §7).
export type { DsseEnvelope, DsseSignature } from './dsse.js';
export {
  IN_TOTO_PAYLOAD_TYPE,
  DSSE_MAX_SIGNATURES,
  pae,
  signEnvelope,
  addSignature,
  verifySignature,
  attestationDigest,
  checkEnvelope,
} from './dsse.js';
export type { Statement, StatementSubject, DecodedStatement } from './statement.js';
export {
  IN_TOTO_STATEMENT_TYPE,
  SLSA_PROVENANCE_PREDICATE_TYPE,
  SPDX_PREDICATE_TYPE,
  FILE_INTEGRITY_PREDICATE_TYPE,
  VULNERABILITY_SCAN_PREDICATE_TYPE,
  makeStatement,
  checkStatement,
  decodeStatement,
} from './statement.js';
export { childPath, isJsonObject } from './check-helpers.js';

// Trust store (02 §9).
export type {
  TrustStore,
  TrustStoreKey,
  ThresholdGroup,
  TrustStoreLog,
  Revocation as TrustStoreRevocation,
} from './trust-store-schema.js';
export {
  TRUST_STORE_MEDIA_TYPE,
  TRUST_STORE_SCHEMA_URI,
  TRUST_STORE_ROLES,
  THRESHOLD_ALGORITHMS,
} from './trust-store-schema.js';
export type { TrustStoreIssue, TrustStoreValidation } from './trust-store-validate.js';
export { validateTrustStore } from './trust-store-validate.js';
export type {
  TrustProfile,
  ParseTrustStoreOptions,
  TrustStoreResult,
  TrustedKey,
  KeyStatus,
} from './trust-store.js';
export {
  PRODUCTION_MIN_LOGS,
  TRUST_STORE_UPDATERS,
  parseTrustStore,
  findKey,
  keysByOwner,
  keyStatusAt,
  signingGroups,
} from './trust-store.js';

// Trust-store updates (02 §9).
export type {
  TrustUpdateRejection,
  AcceptedTrustUpdate,
  RejectedTrustUpdate,
  TrustUpdateResult,
  CheckTrustUpdateOptions,
} from './trust-store-update.js';
export {
  TRUST_STORE_UPDATE_PAYLOAD_TYPE,
  checkTrustStoreUpdate,
  assertTrustStoreUpdate,
} from './trust-store-update.js';

// Attestation bundle (02 §11, 04 §3 step 3, 04 §8).
export type { AttestationBundle, BundleMetadata, BundleOptions, BundleResult } from './bundle.js';
export {
  BUNDLE_MEDIA_TYPE,
  BUNDLE_VERSION,
  BUNDLE_MAX_BYTES,
  BUNDLE_MAX_ATTESTATIONS,
  BUNDLE_MAX_LOG_ENTRIES,
  parseBundle,
  checkBundle,
  serializeBundle,
  comparePaths,
} from './bundle.js';

// SPDX 2.3 SBOM (02 §5).
export type { CheckSbomOptions } from './sbom.js';
export { SBOM_INVALID, SPDX_DOCUMENT_ID, checkSbom } from './sbom.js';
export type { LicenseExpression, ParseLicenseResult } from './sbom-license.js';
export { parseLicenseExpression, localLicenseRefs } from './sbom-license.js';
export type { PackageUrl, ParsePurlResult } from './sbom-purl.js';
export { parsePurl } from './sbom-purl.js';
export { SPDX_2_3_SCHEMA } from './spdx-2.3.schema.js';

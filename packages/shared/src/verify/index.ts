// SPDX-License-Identifier: Apache-2.0

// The verification algorithm of 04-verification.md (pure: bytes, values and the time passed in).
export type {
  VerifyMode,
  Decision,
  KeyholderRequirement,
  LicensePolicy,
  VerifyRequirements,
  VerifyInput,
  VerifyResult,
  VerifyDetails,
  VerifyResultJson,
  VulnerabilityGateInput,
  ImageEvidence,
  RebuildOutcome,
  SbomSummary,
  AttestationDetail,
} from './types.js';
export { VERIFY_MODES } from './types.js';
export {
  ALWAYS_REJECT_CODES,
  isVerifyMode,
  decide,
  cerroTorreExitCode,
  vordrDecisionExitCode,
  toVerifyResultJson,
} from './decision.js';
export {
  DEFAULT_LOG_QUORUM,
  DEFAULT_VULNERABILITY_POLICY,
  logQuorum,
  readTrustStoreForVerify,
  verifyBundle,
} from './verify-bundle.js';
export type { LocatedStatement, ContentGateInput } from './content-gates.js';
export { checkContentGates } from './content-gates.js';
export { checkLicenses } from './licenses.js';
export type { AuditRecord, AuditRecordInput, CacheKeyInput } from './audit.js';
export {
  auditRecord,
  auditLine,
  verifyCacheKey,
  CACHE_MAX_AGE_MS,
  cacheNotAfter,
  isCacheUsable,
} from './audit.js';
export { requirementsFromManifest } from './requirements.js';
export { provenanceSourceDateEpoch } from './provenance-facts.js';
export { compareDebianVersions } from './debian-version.js';
export type {
  Severity,
  VulnDb,
  VulnDbRecord,
  DebianPackageRef,
  VulnFinding,
  VulnerabilityPolicy,
} from './vulnerabilities.js';
export {
  SEVERITIES,
  parseVulnDb,
  debianPackagesOfSbom,
  findVulnerabilities,
  checkVulnerabilities,
} from './vulnerabilities.js';
export type { Check, CheckStatus, CheckListContext, RenderedCheck } from './check-list.js';
export {
  CHECK_MARKS,
  checksOf,
  renderedChecksOf,
  renderCheck,
  renderCheckList,
  headerLine,
  decisionLine,
  shortDigest,
} from './check-list.js';
export type { PackageMetadata } from './package-metadata.js';
export { readPackageMetadata } from './package-metadata.js';
export type { InstalledPackage, PackageSetDifference } from './installed-packages.js';
export {
  sbomOfBundle,
  debianSuiteOfSbom,
  debianPackagesOfSpdx,
  parseDpkgStatus,
  comparePackageSets,
  describePackage,
} from './installed-packages.js';
export { parseVerifyMode, parseVerifyNow, parseLogQuorumFlag } from './flags.js';

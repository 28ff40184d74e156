// SPDX-License-Identifier: Apache-2.0

// `@verified-container/shared/verify/cache`: the part of `./verify` a CLI needs around a
// verification (flag checks, the result cache key, the audit record, the exit code and the
// decision line, the bundle size limit) without the verification algorithm and what it imports, so that a verification
// answered from the result cache (04 §10) loads little. Everything here is also exported by
// `./verify`.
export type {
  VerifyMode,
  Decision,
  VerifyRequirements,
  VerifyInput,
  VerifyResult,
  VerifyResultJson,
} from '../types.js';
export { VERIFY_MODES } from '../types.js';
export {
  ALWAYS_REJECT_CODES,
  isVerifyMode,
  cerroTorreExitCode,
  vordrDecisionExitCode,
  toVerifyResultJson,
} from '../decision.js';
export { DEFAULT_LOG_QUORUM, logQuorum } from '../log-quorum.js';
export type { AuditRecord, AuditRecordInput, CacheKeyInput } from '../audit.js';
export {
  auditRecord,
  auditLine,
  verifyCacheKey,
  CACHE_MAX_AGE_MS,
  cacheNotAfter,
  isCacheUsable,
} from '../audit.js';
export { requirementsFromManifest } from '../requirements.js';
export { decisionLine } from '../check-list.js';
export { BUNDLE_MAX_BYTES } from '../../attestation/bundle-limits.js';
export { parseVerifyMode, parseVerifyNow, parseLogQuorumFlag } from '../flags.js';

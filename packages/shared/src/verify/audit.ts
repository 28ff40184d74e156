// SPDX-License-Identifier: Apache-2.0
import { sha256Hex } from '../crypto/index.js';
import { canonicalize } from '../json/index.js';
import { formatRfc3339Utc } from '../time/rfc3339.js';
import type { Decision, VerifyMode, VerifyResult } from './types.js';

/** One line of the audit log (04 §10); written as its JCS plus LF. */
export interface AuditRecord {
  timestamp: string;
  tool: string;
  imageDigest: string | null;
  bundleDigest: string | null;
  trustStoreDigest: string;
  mode: VerifyMode;
  decision: Decision;
  errorCode: string | null;
  cached: boolean;
}

export interface AuditRecordInput {
  readonly at: Date;
  /** `cerro-torre`, `vordr` or `svalinn`. */
  readonly tool: string;
  readonly mode: VerifyMode;
  readonly result: Pick<VerifyResult, 'decision' | 'errorCode' | 'imageDigest' | 'details'>;
  readonly cached: boolean;
}

/** The audit record of a decision (04 §10). */
export function auditRecord(input: AuditRecordInput): AuditRecord {
  const { result } = input;
  return {
    timestamp: formatRfc3339Utc(input.at),
    tool: input.tool,
    imageDigest: result.imageDigest,
    bundleDigest: result.details.bundleDigest,
    trustStoreDigest: result.details.trustStoreDigest,
    mode: input.mode,
    decision: result.decision,
    errorCode: result.errorCode ?? null,
    cached: input.cached,
  };
}

/** The bytes of one audit line: JCS of the record and a final LF, for one O_APPEND write. */
export function auditLine(record: AuditRecord): string {
  return `${canonicalize(record)}\n`;
}

/** What the verification cache key covers (04 §10). */
export interface CacheKeyInput {
  readonly imageDigest: string | null;
  readonly bundleDigest: string | null;
  readonly trustStoreDigest: string;
  readonly manifestDigest: string | null;
  readonly vulnDbDigest: string | null;
  readonly mode: VerifyMode;
  readonly quorum: number;
  readonly groups: readonly string[];
  readonly requireVulnDb: boolean;
}

/** The cache key (04 §10): sha256 hex of the JCS of the key members; the file is `<key>.json`. */
export function verifyCacheKey(input: CacheKeyInput): string {
  return sha256Hex(
    canonicalize({
      imageDigest: input.imageDigest,
      bundleDigest: input.bundleDigest,
      trustStoreDigest: input.trustStoreDigest,
      manifestDigest: input.manifestDigest,
      vulnDbDigest: input.vulnDbDigest,
      mode: input.mode,
      quorum: input.quorum,
      groups: [...input.groups],
      requireVulnDb: input.requireVulnDb,
    }),
  );
}

/** One hour: the longest a cached result lives (04 §10). */
export const CACHE_MAX_AGE_MS = 60 * 60 * 1000;

/**
 * `notAfter` of a cached result (04 §10): min(creation + 1 h, the earliest `validUntil` or
 * `revokedAt` of the keys that counted).
 */
export function cacheNotAfter(createdAt: Date, keysValidUntil: number | null): Date {
  const limit = createdAt.getTime() + CACHE_MAX_AGE_MS;
  return new Date(keysValidUntil === null ? limit : Math.min(limit, keysValidUntil));
}

/**
 * Whether a cached result may be used (04 §10): never with `--now`, `--rebuild` or `--no-cache`,
 * and only while the clock is before `notAfter`.
 */
export function isCacheUsable(
  notAfter: Date,
  now: Date,
  flags: { readonly explicitNow: boolean; readonly rebuild: boolean; readonly noCache: boolean },
): boolean {
  if (flags.explicitNow || flags.rebuild || flags.noCache) return false;
  return now.getTime() < notAfter.getTime();
}

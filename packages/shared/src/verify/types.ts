// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import type { VulnDb, VulnerabilityPolicy } from './vulnerabilities.js';

/** Verification modes (04 §5). */
export const VERIFY_MODES = ['strict', 'permissive', 'audit'] as const;
export type VerifyMode = (typeof VERIFY_MODES)[number];

/** The decision of 04 §5: ALLOW, or REJECT / WARN (permissive) / LOG (audit) with the failures. */
export type Decision = 'ALLOW' | 'REJECT' | 'WARN' | 'LOG';

/** The keyholder requirement of 04 §2 (from the manifest): m distinct signers owned by A. */
export interface KeyholderRequirement {
  /** m: `[verification.required-signatures].minimum`, else the k of `[attestations.signing]`. */
  readonly minimum: number;
  /** A: `allowed-keyholders`, else the signing `keyholders` (trust-store `metadata.owner` values). */
  readonly owners: readonly string[];
}

/** Licence lists of the manifest (04 §6.3). */
export interface LicensePolicy {
  readonly allowed?: readonly string[];
  readonly denied?: readonly string[];
}

/**
 * What a manifest contributes to verification (04 §2, §6), already read by the adapter. Every
 * member is optional: `verify --bundle` without `--manifest` passes none of them.
 */
export interface VerifyRequirements {
  /** `minimum-logs` (default 2). */
  readonly minimumLogs?: number;
  /** k of `threshold-agreement` when `require-consensus` is true. */
  readonly consensusLogs?: number;
  readonly keyholders?: KeyholderRequirement;
  /** `require-sbom` (default true). */
  readonly requireSbom?: boolean;
  readonly licenses?: LicensePolicy;
  /** `scan-before-deployment`: the vulnerability gate runs even without `--vuln-db`. */
  readonly scanBeforeDeployment?: boolean;
  /** `max-severity`, `ignore-vulnerabilities`, `ignore-unfixed` (defaults high, none, false). */
  readonly vulnerabilityPolicy?: VulnerabilityPolicy;
}

/** The vulnerability gate's inputs (04 §6.5), when it runs. */
export interface VulnerabilityGateInput {
  /** The parsed database; undefined when none is configured (`VULNERABILITY_DB_MISSING`). */
  readonly db: VulnDb | undefined;
  /** `--require-vuln-db`: a missing database is an error, not a warning. */
  readonly requireDb: boolean;
}

/** Everything verification needs, passed in as bytes and values (04 §1); nothing is read here. */
export interface VerifyInput {
  /** The bundle file bytes; undefined when the bundle document does not exist (step 2). */
  readonly bundleBytes: Uint8Array | undefined;
  /** The trust-store file bytes, validated under the profile it declares (02 §9). */
  readonly trustStoreBytes: Uint8Array;
  /** The verification time (`--now`, else the clock). */
  readonly now: Date;
  readonly mode?: VerifyMode;
  /** `--log-quorum n` (n ≥ 1); overrides the manifest's requirement (04 §2). */
  readonly logQuorum?: number;
  /** `--threshold-group g…`; default every signing group of the store. */
  readonly thresholdGroups?: readonly string[];
  /** `--image-digest sha256:…` or the layout's digest D. */
  readonly imageDigest?: string;
  /** The manifest bytes, when a manifest is given: its sha256 must match the provenance. */
  readonly manifestBytes?: Uint8Array;
  /** Requirements read from the manifest. */
  readonly requirements?: VerifyRequirements;
  /**
   * Present when the vulnerability gate runs (the manifest's `scan-before-deployment`, or a
   * database given): 04 §6.5.
   */
  readonly vulnerabilities?: VulnerabilityGateInput;
}

/** The verification result, shaped as the JSON of 04 §5. */
export interface VerifyResult {
  readonly decision: Decision;
  /** The first error's code; absent on ALLOW. */
  readonly errorCode?: string;
  /** `errors[0].message`; absent on ALLOW. */
  readonly message?: string;
  /** Every failure, in step order then document order. */
  readonly errors: Problem[];
  /** Envelopes that passed steps 5–8. */
  readonly attestationsVerified: number;
  /** Log entries that passed step 8. */
  readonly logEntriesVerified: number;
  /** Groups met, plus `"keyholders"` when that requirement applies and is met. */
  readonly thresholdsMet: string[];
  /** `sha256:` image digest D, or null when it could not be found. */
  readonly imageDigest: string | null;
  readonly warnings: Problem[];
  /** Extra facts for people-facing output and the cache (not part of the JSON of 04 §5). */
  readonly details: VerifyDetails;
}

/** What the human form and the cache need beyond the JSON of 04 §5. */
export interface VerifyDetails {
  /** The log quorum q used. */
  readonly quorum: number;
  /** The groups G checked. */
  readonly groups: string[];
  /** `sha256:` of the trust-store bytes. */
  readonly trustStoreDigest: string;
  /** `sha256:` of the bundle bytes, null without a bundle. */
  readonly bundleDigest: string | null;
  /** Key ids whose valid signatures counted. */
  readonly countedKeyIds: string[];
  /**
   * The earliest `validUntil`/`revokedAt` (epoch ms) of the keys that counted, for the cache's
   * `notAfter` (04 §10); null when none is set.
   */
  readonly keysValidUntil: number | null;
  /** The step that stopped the run, when one did. */
  readonly stoppedAt?: number;
}

/** The JSON document of 04 §5 (stdout of `verify --bundle`). */
export interface VerifyResultJson {
  decision: Decision;
  errorCode?: string;
  message?: string;
  errors?: Problem[];
  attestationsVerified: number;
  logEntriesVerified: number;
  thresholdsMet: string[];
  imageDigest: string | null;
  warnings: Problem[];
}

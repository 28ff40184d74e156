// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import type { VulnDb, VulnFinding, VulnerabilityPolicy } from './vulnerabilities.js';

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
  /** What the adapter found reading the package and the image layout (steps 1 and 5). */
  readonly image?: ImageEvidence;
  /** Step 11 (`--rebuild`): the adapter's comparison; absent when no rebuild ran. */
  readonly rebuild?: RebuildOutcome;
}

/**
 * Step 1 and the layout part of step 5 (04 §3), done by the adapter (files, tar, blob hashing)
 * and passed in as values.
 */
export interface ImageEvidence {
  /** Step 1 (`.ctp` only): why the package cannot be read or extracted (MALFORMED_BUNDLE). */
  readonly packageProblems?: readonly Problem[];
  /**
   * Step 5: the layout's problems — no index descriptor for the image, a manifest blob whose
   * sha256 is not the descriptor's, a config or layer blob missing or hashing to another digest
   * (MALFORMED_BUNDLE, stop).
   */
  readonly layoutProblems?: readonly Problem[];
  /** D: sha256 of the selected manifest blob (`sha256:…`), when the layout gave one. */
  readonly layoutDigest?: string;
  /** `image_digest` of the package's (or store bundle's) `manifest.toml`; must equal D. */
  readonly packageImageDigest?: string;
}

/** Step 11 (04 §7): the rebuilt image matched, or why it did not (`NOT_REPRODUCIBLE`). */
export type RebuildOutcome =
  | { readonly kind: 'reproduced'; readonly imageDigest: string }
  | { readonly kind: 'differs'; readonly message: string };

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
  /** Owners (trust-store `metadata.owner`, else key id) of the keys whose signatures counted. */
  readonly signers: string[];
  /** Envelopes in the bundle (0 when it did not parse). */
  readonly attestationCount: number;
  /** Distinct log ids with an entry that passed step 8. */
  readonly verifiedLogIds: string[];
  /** The first SPDX statement's package count and purl types (`deb` → 148), when decoded. */
  readonly sbom: SbomSummary | null;
  /** Every envelope of the bundle, in bundle order (empty when it did not parse). */
  readonly attestations: AttestationDetail[];
  /** The vulnerabilities found by 04 §6.5 in every SPDX statement (empty when it did not run). */
  readonly findings: VulnFinding[];
}

/** One envelope as `POST /v1/verify` with `details` shows it (05 §12.1). */
export interface AttestationDetail {
  readonly index: number;
  /** The statement's predicate type; null when the payload did not decode. */
  readonly predicateType: string | null;
  /** The attestation digest (02 §7): sha256 of the JCS of the envelope. */
  readonly digest: string;
  /** The trusted keys whose signature over the payload verifies, with their owners. */
  readonly validSigners: { readonly keyid: string; readonly owner: string | null }[];
}

/** What the check list says about the SBOM (04 §9). */
export interface SbomSummary {
  /** Packages of the document (the described image and OS packages included). */
  readonly packages: number;
  /** Packages contained by the image with a purl, by purl type (`deb`, `composer`, `generic`). */
  readonly purlTypes: Record<string, number>;
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

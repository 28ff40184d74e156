// SPDX-License-Identifier: Apache-2.0

/** Media type of a trust store file and of the payload of a trust-store update (02 §9). */
export const TRUST_STORE_MEDIA_TYPE = 'application/vnd.verified-container.trust-store+json';
/** The only `$schema` value a trust store may name. */
export const TRUST_STORE_SCHEMA_URI = 'https://verified-container.org/schema/trust-store-v1.json';
/** Roles the toolchain reads; any other role matching {@link ROLE_PATTERN} is kept. */
export const TRUST_STORE_ROLES = [
  'builders',
  'releasers',
  'maintainers',
  'reviewers',
  'trust-store-updaters',
] as const;
export const ROLE_PATTERN = /^[a-z][a-z0-9-]*$/;
export const KEY_ID_PATTERN = /^(?:sha256:[0-9a-f]{64}|[A-Za-z0-9_-]+)$/;
export const LOG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$/;
export const THRESHOLD_ALGORITHMS = ['ed25519-multisig', 'frost-ed25519'] as const;

// Type aliases rather than interfaces: a store is also handled as a plain JSON record, which an
// interface (no implicit index signature) is not assignable to.

/** A key of a trust-store role (02 §9). */
export type TrustStoreKey = {
  id: string;
  algorithm: 'ed25519';
  /** Base64 (standard or URL-safe) of a 44-byte Ed25519 SPKI DER or of the 32 raw key bytes. */
  publicKey: string;
  validFrom: string;
  validUntil?: string | undefined;
  revokedAt?: string | undefined;
  metadata?:
    | { owner?: string | undefined; description?: string | undefined; [member: string]: unknown }
    | undefined;
};

/** A k-of-n threshold group (02 §9). */
export type ThresholdGroup = {
  k: number;
  n: number;
  algorithm: (typeof THRESHOLD_ALGORITHMS)[number];
  members: string[];
};

/** A transparency log the store trusts (02 §9). */
export type TrustStoreLog = {
  operator: string;
  publicKey: string;
  url: string;
  algorithm: 'ed25519';
};

/** A revoked artifact digest (02 §9). */
export type Revocation = {
  digest: string;
  reason: string;
  revokedAt: string;
};

/**
 * The trust store of 02 §9 as {@link validateTrustStore} returns it: structure and per-object
 * rules checked, unknown members dropped. Cross-object rules (group members present in `keys`,
 * one public key per id, profile requirements) and warnings are checked by `parseTrustStore`,
 * which is the only way a store should be read.
 */
export type TrustStore = {
  $schema?: typeof TRUST_STORE_SCHEMA_URI | undefined;
  version: 1;
  id: string;
  serial: number;
  updated: string;
  profile?: 'production' | 'dev' | undefined;
  keys: Record<string, TrustStoreKey[]>;
  thresholds: Record<string, ThresholdGroup>;
  logs: Record<string, TrustStoreLog>;
  revocations?: Revocation[] | undefined;
};

/** Members each object of the store defines; anything else is reported as a warning. */
export const KNOWN_MEMBERS = {
  store: [
    '$schema',
    'version',
    'id',
    'serial',
    'updated',
    'profile',
    'keys',
    'thresholds',
    'logs',
    'revocations',
  ],
  key: ['id', 'algorithm', 'publicKey', 'validFrom', 'validUntil', 'revokedAt', 'metadata'],
  group: ['k', 'n', 'algorithm', 'members'],
  log: ['operator', 'publicKey', 'url', 'algorithm'],
  revocation: ['digest', 'reason', 'revokedAt'],
} as const;

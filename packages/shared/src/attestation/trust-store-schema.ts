// SPDX-License-Identifier: Apache-2.0
import { z } from 'zod';
import { publicKeyFromBase64 } from '../crypto/index.js';
import { isRfc3339, parseRfc3339 } from '../time/rfc3339.js';

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

const time = z.string().refine(isRfc3339, { error: 'must be an RFC 3339 date-time' });

/** Base64 (standard or URL-safe) of a 44-byte Ed25519 SPKI DER or of the 32 raw key bytes. */
const publicKey = z.string().refine(isPublicKey, {
  error: 'must be base64 of an Ed25519 SPKI DER (44 bytes) or of the 32 raw key bytes',
});

const nonEmpty = z.string().min(1, { error: 'must not be empty' });

export const TrustStoreKeySchema = z
  .object({
    id: z.string().regex(KEY_ID_PATTERN, { error: 'must be sha256:<64 hex> or [A-Za-z0-9_-]+' }),
    algorithm: z.literal('ed25519', { error: 'must be "ed25519"' }),
    publicKey,
    validFrom: time,
    validUntil: time.optional(),
    revokedAt: time.optional(),
    metadata: z
      .looseObject({ owner: z.string().optional(), description: z.string().optional() })
      .optional(),
  })
  .superRefine((key, ctx) => {
    if (key.validUntil === undefined) return;
    const from = parseRfc3339(key.validFrom);
    const until = parseRfc3339(key.validUntil);
    if (from !== null && until !== null && until <= from) {
      ctx.addIssue({
        code: 'custom',
        message: `validUntil ${key.validUntil} is not later than validFrom ${key.validFrom}`,
        path: ['validUntil'],
      });
    }
  });
export type TrustStoreKey = z.infer<typeof TrustStoreKeySchema>;

export const ThresholdGroupSchema = z
  .object({
    k: z.int({ error: 'must be an integer' }).min(1, { error: 'k must be at least 1' }),
    n: z.int({ error: 'must be an integer' }).min(1, { error: 'n must be at least 1' }),
    algorithm: z.enum(THRESHOLD_ALGORITHMS, {
      error: 'must be "ed25519-multisig" or "frost-ed25519"',
    }),
    members: z.array(z.string()),
  })
  .superRefine((group, ctx) => {
    if (group.n !== group.members.length) {
      ctx.addIssue({
        code: 'custom',
        message: `n is ${group.n} but the group has ${group.members.length} members`,
        path: ['n'],
      });
    }
    if (group.k > group.n) {
      ctx.addIssue({
        code: 'custom',
        message: `k (${group.k}) is greater than n (${group.n})`,
        path: ['k'],
      });
    }
    const seen = new Set<string>();
    group.members.forEach((member, i) => {
      if (seen.has(member)) {
        ctx.addIssue({
          code: 'custom',
          message: `member ${member} is listed twice`,
          path: ['members', i],
        });
      }
      seen.add(member);
    });
  });
export type ThresholdGroup = z.infer<typeof ThresholdGroupSchema>;

export const TrustStoreLogSchema = z.object({
  operator: nonEmpty,
  publicKey,
  url: z.string().refine(isLogUrl, { error: 'must be an https:, http: or file: URI' }),
  algorithm: z.literal('ed25519', { error: 'must be "ed25519"' }),
});
export type TrustStoreLog = z.infer<typeof TrustStoreLogSchema>;

export const RevocationSchema = z.object({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: 'must be sha256:<64 lowercase hex>' }),
  reason: z.string(),
  revokedAt: time,
});
export type Revocation = z.infer<typeof RevocationSchema>;

/**
 * The trust store of 02 §9, structure and per-object rules. Cross-object rules (group members
 * present in `keys`, one public key per id, profile requirements) and warnings are checked by
 * `parseTrustStore`, which is the only way a store should be read.
 */
export const TrustStoreSchema = z.object({
  $schema: z
    .literal(TRUST_STORE_SCHEMA_URI, { error: `must be "${TRUST_STORE_SCHEMA_URI}"` })
    .optional(),
  version: z.literal(1, { error: 'must be the integer 1' }),
  id: nonEmpty,
  serial: z.int({ error: 'must be an integer' }).min(0, { error: 'must be ≥ 0' }).default(0),
  updated: time,
  profile: z.enum(['production', 'dev'], { error: 'must be "production" or "dev"' }).optional(),
  keys: z.record(
    z.string().regex(ROLE_PATTERN, { error: 'role must match ^[a-z][a-z0-9-]*$' }),
    z.array(TrustStoreKeySchema),
  ),
  thresholds: z.record(nonEmpty, ThresholdGroupSchema),
  logs: z.record(
    z.string().regex(LOG_ID_PATTERN, {
      error: 'log id must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$',
    }),
    TrustStoreLogSchema,
  ),
  revocations: z.array(RevocationSchema).optional(),
});
export type TrustStore = z.infer<typeof TrustStoreSchema>;

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

function isPublicKey(text: string): boolean {
  try {
    publicKeyFromBase64(text);
    return true;
  } catch {
    return false;
  }
}

function isLogUrl(text: string): boolean {
  if (!/^(?:https?|file):/.test(text)) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'file:' || url.host !== '';
  } catch {
    return false;
  }
}

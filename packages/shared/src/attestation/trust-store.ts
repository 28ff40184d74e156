// SPDX-License-Identifier: Apache-2.0
import { publicKeyFromBase64, sha256Digest, type Ed25519PublicKey } from '../crypto/index.js';
import type { Problem } from '../errors.js';
import { JsonError, formatJsonPath, parseJson, type PathSegment } from '../json/index.js';
import { KNOWN_MEMBERS, type TrustStore, type TrustStoreKey } from './trust-store-schema.js';
import { validateTrustStore, type TrustStoreIssue } from './trust-store-validate.js';
import { parseRfc3339 } from '../time/rfc3339.js';

export type TrustProfile = 'dev' | 'production';

export interface ParseTrustStoreOptions {
  /** `dev` relaxes the log and group requirements; a store saying `profile: "dev"` is dev anyway. */
  readonly profile?: TrustProfile;
}

export interface TrustStoreResult {
  readonly ok: boolean;
  /** Present only when `ok`. */
  readonly trustStore?: TrustStore;
  /** The profile the store was checked under. */
  readonly profile: TrustProfile;
  /** `TRUST_STORE_INVALID` or `INSUFFICIENT_LOG_OPERATORS`, each with the JSONPath of its cause. */
  readonly errors: Problem[];
  readonly warnings: Problem[];
  /** `sha256:` of the file bytes (02 §9); changes invalidate cached verifications. */
  readonly digest: string;
}

/** Minimum number of logs a production trust store names (02 §9). */
export const PRODUCTION_MIN_LOGS = 3;
/** The group that authorises trust-store updates; it is not a release-signing group. */
export const TRUST_STORE_UPDATERS = 'trust-store-updaters';

const INVALID = 'TRUST_STORE_INVALID';

/**
 * Reads and validates a trust store (02 §9) from its exact file bytes: strict JSON (a duplicate
 * member anywhere is an error), every rule of the §9 table, and the profile requirements
 * (production: ≥ 3 logs, else `INSUFFICIENT_LOG_OPERATORS` at `$.logs`, and ≥ 1 signing group;
 * dev: ≥ 1 log). Collects every problem; never throws for bad input.
 */
export function parseTrustStore(
  bytes: Uint8Array,
  opts: ParseTrustStoreOptions = {},
): TrustStoreResult {
  const digest = sha256Digest(bytes);
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  let profile: TrustProfile = opts.profile === 'dev' ? 'dev' : 'production';
  const done = (trustStore?: TrustStore): TrustStoreResult => ({
    ok: errors.length === 0,
    ...(errors.length === 0 && trustStore !== undefined ? { trustStore } : {}),
    profile,
    errors,
    warnings,
    digest,
  });

  let value: unknown;
  try {
    value = parseJson(bytes);
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    errors.push(problem(INVALID, `not a valid trust store: ${err.message}`, err.path));
    return done();
  }
  if (!isRecord(value)) {
    errors.push(problem(INVALID, 'a trust store is a JSON object', '$'));
    return done();
  }
  if (value.profile === 'dev') profile = 'dev';
  warnings.push(...unknownMembers(value));
  errors.push(...reservedNames(value));

  const parsed = validateTrustStore(value);
  if (!parsed.ok) {
    errors.push(...parsed.issues.map(issueProblem));
    // The profile rules still apply to whatever `logs` holds, so a store with two bad logs
    // also learns it needs a third.
    if (isRecord(value.logs)) checkLogCount(Object.keys(value.logs).length, profile, errors);
    return done();
  }
  const store = parsed.data;
  checkKeys(store, errors, warnings);
  checkGroups(store, profile, errors);
  checkLogs(store, warnings);
  checkLogCount(Object.keys(store.logs).length, profile, errors);
  return done(store);
}

/** A trust-store key as found by {@link findKey} or {@link keysByOwner}. */
export interface TrustedKey {
  /** The first role (in file order) listing the key. */
  readonly role: string;
  /** Every role listing the key id. */
  readonly roles: readonly string[];
  /** The entry of the first role. */
  readonly key: TrustStoreKey;
  readonly publicKey: Ed25519PublicKey;
  /**
   * The key id computed from the public key (02 §8). Count signers by this, not by `key.id`:
   * a store may name one key by another id (a warning), and a key must count once.
   */
  readonly computedKeyId: string;
}

/** Looks a key id up across all roles (02 §9); undefined when no role lists it. */
export function findKey(store: TrustStore, keyId: string): TrustedKey | undefined {
  let found: { role: string; key: TrustStoreKey } | undefined;
  const roles: string[] = [];
  for (const [role, keys] of Object.entries(store.keys)) {
    const key = keys.find((k) => k.id === keyId);
    if (key === undefined) continue;
    roles.push(role);
    found ??= { role, key };
  }
  if (found === undefined) return undefined;
  const publicKey = publicKeyFromBase64(found.key.publicKey);
  return { role: found.role, roles, key: found.key, publicKey, computedKeyId: publicKey.keyId };
}

/** Every key whose `metadata.owner` is `owner`, once per key id, in file order. */
export function keysByOwner(store: TrustStore, owner: string): TrustedKey[] {
  const out: TrustedKey[] = [];
  const seen = new Set<string>();
  for (const keys of Object.values(store.keys)) {
    for (const key of keys) {
      if (key.metadata?.owner !== owner || seen.has(key.id)) continue;
      seen.add(key.id);
      const found = findKey(store, key.id);
      if (found !== undefined) out.push(found);
    }
  }
  return out;
}

export type KeyStatus = 'valid' | 'expired' | 'not-yet-valid' | 'revoked';

/**
 * Validity of a key at `at` (04 §2), the first that applies in the order of 04 §3 step 6:
 * revoked if `revokedAt` ≤ t, expired if t > `validUntil`, not yet valid if t < `validFrom`.
 * An unreadable time (impossible in a validated store) fails closed.
 */
export function keyStatusAt(
  key: Pick<TrustStoreKey, 'validFrom' | 'validUntil' | 'revokedAt'>,
  at: Date,
): KeyStatus {
  const t = at.getTime();
  if (key.revokedAt !== undefined) {
    const revoked = parseRfc3339(key.revokedAt);
    if (revoked === null || revoked <= t) return 'revoked';
  }
  if (key.validUntil !== undefined) {
    const until = parseRfc3339(key.validUntil);
    if (until === null || t > until) return 'expired';
  }
  const from = parseRfc3339(key.validFrom);
  if (from === null || t < from) return 'not-yet-valid';
  return 'valid';
}

/** Signing groups of a store: every group but `trust-store-updaters` (04 §2). */
export function signingGroups(store: TrustStore): string[] {
  return Object.keys(store.thresholds).filter((g) => g !== TRUST_STORE_UPDATERS);
}

function checkKeys(store: TrustStore, errors: Problem[], warnings: Problem[]): void {
  // id → computed key id of its first public key, and where that was
  const byId = new Map<string, { computed: string; path: string }>();
  for (const [role, keys] of Object.entries(store.keys)) {
    keys.forEach((key, i) => {
      const path = formatJsonPath(['keys', role, i]);
      const computed = computedKeyId(key.publicKey);
      if (computed === undefined) {
        errors.push(problem(INVALID, 'not an Ed25519 public key', `${path}.publicKey`));
        return;
      }
      if (key.id !== computed) {
        warnings.push(
          problem(
            'TRUST_STORE_KEY_ID_MISMATCH',
            `key id ${key.id} is not the id of its public key (${computed})`,
            `${path}.id`,
          ),
        );
      }
      const first = byId.get(key.id);
      if (first === undefined) byId.set(key.id, { computed, path });
      else if (first.computed !== computed) {
        errors.push(
          problem(
            INVALID,
            `key id ${key.id} names two different public keys (also at ${first.path})`,
            `${path}.publicKey`,
          ),
        );
      }
    });
  }
}

function checkGroups(store: TrustStore, profile: TrustProfile, errors: Problem[]): void {
  const keyIds = new Map<string, string | undefined>();
  for (const keys of Object.values(store.keys)) {
    for (const key of keys) {
      if (!keyIds.has(key.id)) keyIds.set(key.id, computedKeyId(key.publicKey));
    }
  }
  for (const [name, group] of Object.entries(store.thresholds)) {
    // a member counted twice under two ids would let one key satisfy two of the k signatures
    const byPublicKey = new Map<string, string>();
    group.members.forEach((member, i) => {
      const path = formatJsonPath(['thresholds', name, 'members', i]);
      if (!keyIds.has(member)) {
        errors.push(problem(INVALID, `member ${member} is not a key of the trust store`, path));
        return;
      }
      const computed = keyIds.get(member);
      if (computed === undefined) return;
      const other = byPublicKey.get(computed);
      if (other !== undefined && other !== member) {
        errors.push(
          problem(INVALID, `members ${other} and ${member} are the same public key`, path),
        );
      }
      byPublicKey.set(computed, member);
    });
  }
  if (profile === 'production' && signingGroups(store).length === 0) {
    errors.push(
      problem(
        INVALID,
        'a production trust store needs at least one threshold group (besides trust-store-updaters)',
        '$.thresholds',
        'add a group such as release-signers, or use --profile dev',
      ),
    );
  }
}

function checkLogs(store: TrustStore, warnings: Problem[]): void {
  const byKey = new Map<string, string>();
  const byOperator = new Map<string, string>();
  for (const [logId, log] of Object.entries(store.logs)) {
    const path = formatJsonPath(['logs', logId]);
    const computed = computedKeyId(log.publicKey);
    if (computed !== undefined) {
      const other = byKey.get(computed);
      if (other !== undefined) {
        warnings.push(
          problem(
            'TRUST_STORE_LOG_KEY_SHARED',
            `log ${logId} has the same public key as log ${other}`,
            `${path}.publicKey`,
          ),
        );
      } else byKey.set(computed, logId);
    }
    const other = byOperator.get(log.operator);
    if (other !== undefined) {
      warnings.push(
        problem(
          'TRUST_STORE_LOG_OPERATOR_SHARED',
          `log ${logId} has the same operator (${log.operator}) as log ${other}`,
          `${path}.operator`,
        ),
      );
    } else byOperator.set(log.operator, logId);
  }
}

function checkLogCount(count: number, profile: TrustProfile, errors: Problem[]): void {
  const min = profile === 'production' ? PRODUCTION_MIN_LOGS : 1;
  if (count >= min) return;
  errors.push(
    problem(
      'INSUFFICIENT_LOG_OPERATORS',
      `the ${profile} profile needs at least ${min} ${min === 1 ? 'log' : 'logs'}, the trust store has ${count}`,
      '$.logs',
      profile === 'production' ? 'add logs, or use --profile dev for a local setup' : undefined,
    ),
  );
}

function unknownMembers(store: Record<string, unknown>): Problem[] {
  const out: Problem[] = [];
  const check = (value: unknown, known: readonly string[], path: PathSegment[]) => {
    if (!isRecord(value)) return;
    for (const name of Object.keys(value)) {
      if (known.includes(name)) continue;
      out.push(
        problem(
          'TRUST_STORE_UNKNOWN_MEMBER',
          `unknown member ${JSON.stringify(name)} (ignored)`,
          formatJsonPath([...path, name]),
        ),
      );
    }
  };
  check(store, KNOWN_MEMBERS.store, []);
  if (isRecord(store.keys)) {
    for (const [role, keys] of Object.entries(store.keys)) {
      if (!Array.isArray(keys)) continue;
      keys.forEach((key, i) => check(key, KNOWN_MEMBERS.key, ['keys', role, i]));
    }
  }
  for (const [member, known] of [
    ['thresholds', KNOWN_MEMBERS.group],
    ['logs', KNOWN_MEMBERS.log],
  ] as const) {
    const map = store[member];
    if (!isRecord(map)) continue;
    for (const [name, item] of Object.entries(map)) check(item, known, [member, name]);
  }
  if (Array.isArray(store.revocations)) {
    store.revocations.forEach((r, i) => check(r, KNOWN_MEMBERS.revocation, ['revocations', i]));
  }
  return out;
}

/**
 * The validator skips a record member named `__proto__` (it cannot be kept in a plain object), so
 * a group, role or log by that name would vanish without a word; a vanished group is a lowered
 * requirement.
 */
function reservedNames(store: Record<string, unknown>): Problem[] {
  return (['keys', 'thresholds', 'logs'] as const).flatMap((member) => {
    const map = store[member];
    if (!isRecord(map) || !Object.hasOwn(map, '__proto__')) return [];
    return [
      problem(INVALID, '"__proto__" is not a valid name', formatJsonPath([member, '__proto__'])),
    ];
  });
}

function issueProblem(issue: TrustStoreIssue): Problem {
  return problem(INVALID, issue.message, formatJsonPath(issue.path));
}

function computedKeyId(publicKey: string): string | undefined {
  try {
    return publicKeyFromBase64(publicKey).keyId;
  } catch {
    return undefined;
  }
}

function problem(code: string, message: string, path: string, hint?: string): Problem {
  return { code, message, path, ...(hint !== undefined ? { hint } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// SPDX-License-Identifier: Apache-2.0
import { publicKeyFromBase64 } from '../crypto/index.js';
import type { PathSegment } from '../json/index.js';
import { isRfc3339, parseRfc3339 } from '../time/rfc3339.js';
import {
  KEY_ID_PATTERN,
  LOG_ID_PATTERN,
  ROLE_PATTERN,
  THRESHOLD_ALGORITHMS,
  TRUST_STORE_SCHEMA_URI,
  type ThresholdGroup,
  type TrustStore,
  type TrustStoreKey,
} from './trust-store-schema.js';

/** One structural problem of a trust store: where, and what is wrong there. */
export interface TrustStoreIssue {
  readonly path: PathSegment[];
  readonly message: string;
}

export type TrustStoreValidation =
  | { readonly ok: true; readonly data: TrustStore }
  | { readonly ok: false; readonly issues: TrustStoreIssue[] };

/**
 * Checks the structure and per-object rules of a trust store (02 §9) and returns it with unknown
 * members dropped (a `serial` left out is 0). Every issue is collected, in document-schema order:
 * members of an object in the order of {@link TrustStore}, record entries in file order. Within
 * an object, a member of the wrong type or a missing one stops the object's cross-member rules
 * (validUntil after validFrom, n = members, k ≤ n, members once); a value of the right type that
 * breaks a rule (a pattern, a minimum, a time) does not.
 *
 * Written by hand rather than with a schema library: the trust store is read by every
 * `verify`, and a schema library costs ~70 ms per process to load and build.
 */
export function validateTrustStore(value: unknown): TrustStoreValidation {
  const v = new Validator();
  const data = v.store(value);
  return v.issues.length === 0 ? { ok: true, data } : { ok: false, issues: v.issues };
}

const MISSING = 'required member is missing';
const TIME = 'must be an RFC 3339 date-time';
const PUBLIC_KEY = 'must be base64 of an Ed25519 SPKI DER (44 bytes) or of the 32 raw key bytes';
const ED25519 = 'must be "ed25519"';
const INTEGER = 'must be an integer';
const NON_EMPTY = 'must not be empty';
const DIGEST = /^sha256:[0-9a-f]{64}$/;

type Obj = Record<string, unknown>;

/**
 * Each method validates one value at `path`, pushes its issues and returns the value to keep.
 * `false` from {@link Validator.present} or a method's `fatal` result means the value had the
 * wrong type or was missing, which stops the enclosing object's cross-member rules.
 */
class Validator {
  readonly issues: TrustStoreIssue[] = [];

  store(value: unknown): TrustStore {
    const path: PathSegment[] = [];
    if (!isObject(value)) {
      this.typeIssue(path, 'object', value);
      return value as TrustStore;
    }
    const out: Obj = {};
    if (has(value, '$schema')) {
      out.$schema = value.$schema;
      if (value.$schema !== TRUST_STORE_SCHEMA_URI) {
        this.push(['$schema'], `must be "${TRUST_STORE_SCHEMA_URI}"`, value.$schema);
      }
    }
    out.version = value.version;
    if (value.version !== 1) this.push(['version'], 'must be the integer 1', value.version);
    out.id = value.id;
    this.nonEmpty(['id'], value.id);
    if (has(value, 'serial')) {
      out.serial = value.serial;
      this.integer(['serial'], value.serial, 0, 'must be ≥ 0');
    } else out.serial = 0;
    out.updated = value.updated;
    this.time(['updated'], value.updated);
    if (has(value, 'profile')) {
      out.profile = value.profile;
      if (value.profile !== 'production' && value.profile !== 'dev') {
        this.push(['profile'], 'must be "production" or "dev"', value.profile);
      }
    }
    out.keys = this.record(
      ['keys'],
      value.keys,
      (p, k) => this.roleName(p, k),
      (p, v) => this.keyList(p, v),
    );
    out.thresholds = this.record(
      ['thresholds'],
      value.thresholds,
      (p, k) => this.nonEmptyKey(p, k),
      (p, v) => this.group(p, v),
    );
    out.logs = this.record(
      ['logs'],
      value.logs,
      (p, k) => this.logId(p, k),
      (p, v) => this.log(p, v),
    );
    if (has(value, 'revocations')) {
      out.revocations = this.array(['revocations'], value.revocations, (p, v) =>
        this.revocation(p, v),
      );
    }
    return out as unknown as TrustStore;
  }

  private keyList(path: PathSegment[], value: unknown): { value: unknown; fatal: boolean } {
    const fatal = !this.present(path, value, 'array');
    return {
      value: fatal ? value : this.array(path, value, (p, v) => this.key(p, v)),
      fatal,
    };
  }

  private key(path: PathSegment[], value: unknown): { value: unknown; fatal: boolean } {
    if (!this.present(path, value, 'object')) return { value, fatal: true };
    const o = value as Obj;
    const out: Obj = {};
    let fatal = false;
    out.id = o.id;
    fatal =
      !this.pattern(
        [...path, 'id'],
        o.id,
        KEY_ID_PATTERN,
        'must be sha256:<64 hex> or [A-Za-z0-9_-]+',
      ) || fatal;
    out.algorithm = o.algorithm;
    fatal = !this.literal([...path, 'algorithm'], o.algorithm, 'ed25519', ED25519) || fatal;
    out.publicKey = o.publicKey;
    fatal = !this.publicKey([...path, 'publicKey'], o.publicKey) || fatal;
    out.validFrom = o.validFrom;
    fatal = !this.time([...path, 'validFrom'], o.validFrom) || fatal;
    for (const member of ['validUntil', 'revokedAt'] as const) {
      if (!has(o, member)) continue;
      out[member] = o[member];
      fatal = !this.time([...path, member], o[member]) || fatal;
    }
    if (has(o, 'metadata')) {
      const m = this.metadata([...path, 'metadata'], o.metadata);
      out.metadata = m.value;
      fatal = m.fatal || fatal;
    }
    if (!fatal && out.validUntil !== undefined) {
      const key = out as unknown as TrustStoreKey;
      const from = parseRfc3339(key.validFrom);
      const until = parseRfc3339(key.validUntil as string);
      if (from !== null && until !== null && until <= from) {
        this.push(
          [...path, 'validUntil'],
          `validUntil ${key.validUntil} is not later than validFrom ${key.validFrom}`,
          out,
        );
      }
    }
    return { value: out, fatal };
  }

  private metadata(path: PathSegment[], value: unknown): { value: unknown; fatal: boolean } {
    if (!this.present(path, value, 'object')) return { value, fatal: true };
    const o = value as Obj;
    const out: Obj = {};
    let fatal = false;
    for (const member of ['owner', 'description'] as const) {
      if (!has(o, member)) continue;
      out[member] = o[member];
      fatal = !this.present([...path, member], o[member], 'string') || fatal;
    }
    for (const name of Object.keys(o)) {
      if (name !== 'owner' && name !== 'description' && name !== '__proto__') out[name] = o[name];
    }
    return { value: out, fatal };
  }

  private group(path: PathSegment[], value: unknown): { value: unknown; fatal: boolean } {
    if (!this.present(path, value, 'object')) return { value, fatal: true };
    const o = value as Obj;
    let fatal = false;
    fatal = !this.integer([...path, 'k'], o.k, 1, 'k must be at least 1') || fatal;
    fatal = !this.integer([...path, 'n'], o.n, 1, 'n must be at least 1') || fatal;
    if (o.algorithm !== THRESHOLD_ALGORITHMS[0] && o.algorithm !== THRESHOLD_ALGORITHMS[1]) {
      this.push(
        [...path, 'algorithm'],
        'must be "ed25519-multisig" or "frost-ed25519"',
        o.algorithm,
      );
      fatal = true;
    }
    let members: unknown = o.members;
    if (this.present([...path, 'members'], o.members, 'array')) {
      const list = o.members as unknown[];
      members = list.slice();
      list.forEach((m, i) => {
        if (!this.present([...path, 'members', i], m, 'string')) fatal = true;
      });
    } else fatal = true;
    const out = { k: o.k, n: o.n, algorithm: o.algorithm, members } as ThresholdGroup;
    if (!fatal) {
      if (out.n !== out.members.length) {
        this.push(
          [...path, 'n'],
          `n is ${out.n} but the group has ${out.members.length} members`,
          out,
        );
      }
      if (out.k > out.n) {
        this.push([...path, 'k'], `k (${out.k}) is greater than n (${out.n})`, out);
      }
      const seen = new Set<string>();
      out.members.forEach((member, i) => {
        if (seen.has(member)) {
          this.push([...path, 'members', i], `member ${member} is listed twice`, out);
        }
        seen.add(member);
      });
    }
    return { value: out, fatal };
  }

  private log(path: PathSegment[], value: unknown): { value: unknown; fatal: boolean } {
    if (!this.present(path, value, 'object')) return { value, fatal: true };
    const o = value as Obj;
    this.nonEmpty([...path, 'operator'], o.operator);
    this.publicKey([...path, 'publicKey'], o.publicKey);
    if (this.present([...path, 'url'], o.url, 'string') && !isLogUrl(o.url as string)) {
      this.push([...path, 'url'], 'must be an https:, http: or file: URI', o.url);
    }
    this.literal([...path, 'algorithm'], o.algorithm, 'ed25519', ED25519);
    const out = {
      operator: o.operator,
      publicKey: o.publicKey,
      url: o.url,
      algorithm: o.algorithm,
    };
    return { value: out, fatal: false };
  }

  private revocation(path: PathSegment[], value: unknown): { value: unknown; fatal: boolean } {
    if (!this.present(path, value, 'object')) return { value, fatal: true };
    const o = value as Obj;
    this.pattern([...path, 'digest'], o.digest, DIGEST, 'must be sha256:<64 lowercase hex>');
    this.present([...path, 'reason'], o.reason, 'string');
    this.time([...path, 'revokedAt'], o.revokedAt);
    const out = { digest: o.digest, reason: o.reason, revokedAt: o.revokedAt };
    return { value: out, fatal: false };
  }

  /** A record: every key checked (a bad key skips its value), `__proto__` skipped. */
  private record(
    path: PathSegment[],
    value: unknown,
    checkKey: (path: PathSegment[], key: string) => boolean,
    checkValue: (path: PathSegment[], value: unknown) => { value: unknown; fatal: boolean },
  ): unknown {
    if (!this.present(path, value, 'record')) return value;
    const o = value as Obj;
    const out: Obj = {};
    for (const key of Object.keys(o)) {
      if (key === '__proto__') continue;
      const p = [...path, key];
      if (!checkKey(p, key)) continue;
      out[key] = checkValue(p, o[key]).value;
    }
    return out;
  }

  private array(
    path: PathSegment[],
    value: unknown,
    check: (path: PathSegment[], value: unknown) => { value: unknown; fatal: boolean },
  ): unknown {
    if (!this.present(path, value, 'array')) return value;
    return (value as unknown[]).map((item, i) => check([...path, i], item).value);
  }

  private roleName(path: PathSegment[], key: string): boolean {
    if (ROLE_PATTERN.test(key)) return true;
    this.push(path, 'role must match ^[a-z][a-z0-9-]*$', key);
    return false;
  }

  private nonEmptyKey(path: PathSegment[], key: string): boolean {
    if (key.length >= 1) return true;
    this.push(path, NON_EMPTY, key);
    return false;
  }

  private logId(path: PathSegment[], key: string): boolean {
    if (LOG_ID_PATTERN.test(key)) return true;
    this.push(path, 'log id must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$', key);
    return false;
  }

  /**
   * A string of at least one character; false only when it is not a string. The length rule is
   * checked on anything with a `length` member, so `[]` is also reported as empty (as the zod
   * schema this replaces did).
   */
  private nonEmpty(path: PathSegment[], value: unknown): boolean {
    const ok = this.present(path, value, 'string');
    const length = value === null || value === undefined ? undefined : (value as Obj).length;
    if (length !== undefined && !((length as number) >= 1)) this.push(path, NON_EMPTY, value);
    return ok;
  }

  private pattern(path: PathSegment[], value: unknown, re: RegExp, message: string): boolean {
    if (!this.present(path, value, 'string')) return false;
    if (!re.test(value as string)) this.push(path, message, value);
    return true;
  }

  private time(path: PathSegment[], value: unknown): boolean {
    if (!this.present(path, value, 'string')) return false;
    if (!isRfc3339(value as string)) this.push(path, TIME, value);
    return true;
  }

  private publicKey(path: PathSegment[], value: unknown): boolean {
    if (!this.present(path, value, 'string')) return false;
    if (!isPublicKey(value as string)) this.push(path, PUBLIC_KEY, value);
    return true;
  }

  private literal(path: PathSegment[], value: unknown, expected: string, message: string): boolean {
    if (value === expected) return true;
    this.push(path, message, value);
    return false;
  }

  /**
   * An integer no less than `min`: false (stopping cross-member rules) when it is not a number
   * or not an integer; beyond the safe-integer range or below `min`, an issue that does not.
   */
  private integer(path: PathSegment[], value: unknown, min: number, minMessage: string): boolean {
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.push(path, INTEGER, value);
      return false;
    }
    if (value > Number.MAX_SAFE_INTEGER || value < Number.MIN_SAFE_INTEGER) {
      this.push(path, INTEGER, value);
    }
    if (value < min) this.push(path, minMessage, value);
    return true;
  }

  /** Whether `value` has the JSON type `type`; if not, pushes the type (or missing) issue. */
  private present(
    path: PathSegment[],
    value: unknown,
    type: 'string' | 'array' | 'object' | 'record',
  ): boolean {
    const ok =
      type === 'string'
        ? typeof value === 'string'
        : type === 'array'
          ? Array.isArray(value)
          : isObject(value);
    if (!ok) this.typeIssue(path, type, value);
    return ok;
  }

  private typeIssue(path: PathSegment[], expected: string, value: unknown): void {
    this.push(path, `Invalid input: expected ${expected}, received ${jsonType(value)}`, value);
  }

  /** A missing member (undefined) is always reported as missing, whatever the rule. */
  private push(path: PathSegment[], message: string, value: unknown): void {
    this.issues.push({ path, message: value === undefined ? MISSING : message });
  }
}

/** Whether an optional member is given (a member holding `undefined` counts as left out). */
function has(o: Obj, member: string): boolean {
  return member in o && o[member] !== undefined;
}

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

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

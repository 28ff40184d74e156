// SPDX-License-Identifier: Apache-2.0
// The common value types of 01 §1.4 and the small grammars of §2, as plain predicates.
import type { ManifestCode } from '../error-codes.js';

export interface ValueProblem {
  readonly code: ManifestCode;
  readonly message: string;
  readonly hint?: string;
}

/** A k-of-n threshold: `k` of `n` parties must agree. */
export interface Threshold {
  readonly k: number;
  readonly n: number;
  /** As written: `"2-of-3"`. */
  readonly text: string;
}

const HASH_LENGTHS: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

export function hashHint(file: string | undefined): string {
  return `put the real digest, e.g. from \`sha256sum ${file ?? '<file>'}\``;
}

/** `sha256:<64 hex>` or `sha512:<128 hex>` (01 §1.4); `file` names the file in the hint. */
export function checkHash(value: string, file?: string): ValueProblem | undefined {
  const problem = (message: string): ValueProblem => ({
    code: 'MANIFEST_HASH',
    message,
    hint: hashHint(file),
  });
  if (value === '') return problem('empty hash');
  const colon = value.indexOf(':');
  const algorithm = colon < 0 ? '' : value.slice(0, colon).toLowerCase();
  const digest = colon < 0 ? value : value.slice(colon + 1);
  if (digest === '' || /^[.\u2026]+$/.test(digest)) {
    return problem(`placeholder hash ${JSON.stringify(value)}`);
  }
  if (colon < 0)
    return problem(`hash ${JSON.stringify(value)} has no algorithm; write sha256:<hex>`);
  const length = HASH_LENGTHS[algorithm];
  if (length === undefined) {
    return problem(`unsupported hash algorithm ${JSON.stringify(algorithm)}; use sha256 or sha512`);
  }
  if (!/^[0-9A-Fa-f]*$/.test(digest)) return problem(`${algorithm} digest is not hexadecimal`);
  if (digest.length !== length) {
    return problem(`${algorithm} digest must be ${length} hex digits, got ${digest.length}`);
  }
  return undefined;
}

/** Segment rules shared by rootfs and context paths; `null` when fine. */
function segmentProblem(segments: readonly string[]): string | null {
  if (segments.some((s) => s === '..')) return 'must not contain a ".." segment';
  if (segments.some((s) => s === '.')) return 'must not contain a "." segment';
  if (segments.some((s) => s === '')) return 'must not contain "//"';
  return null;
}

/** Absolute POSIX path inside the image: no `.`/`..`, no `//`, no trailing `/` (but `/`), no NUL. */
export function rootfsPathProblem(value: string, allowTrailingSlash = false): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL';
  if (!value.startsWith('/')) return 'must be an absolute path (starting with "/")';
  if (value === '/') return undefined;
  let body = value.slice(1);
  if (body.endsWith('/')) {
    if (!allowTrailingSlash) return 'must not end with "/"';
    body = body.slice(0, -1);
  }
  return segmentProblem(body.split('/')) ?? undefined;
}

/** Relative path inside the build context (`.` is the context itself). */
export function contextPathProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain NUL';
  if (value === '') return 'must not be empty';
  if (value.startsWith('/')) return 'must be relative to the build context, not absolute';
  if (value === '.') return undefined;
  const body = value.endsWith('/') ? value.slice(0, -1) : value;
  return segmentProblem(body.split('/')) ?? undefined;
}

export const MODE_PATTERN = /^[0-7]{3,4}$/;

const K_OF_N = /^([0-9]+)-of-([0-9]+)$/;

/** `"<k>-of-<n>"` with 1 ≤ k ≤ n, or a message. */
export function parseThreshold(value: string): Threshold | string {
  const match = K_OF_N.exec(value);
  if (match === null) return `${JSON.stringify(value)} is not of the form "<k>-of-<n>"`;
  const k = Number(match[1]);
  const n = Number(match[2]);
  if (k < 1 || k > n || n > 1_000_000) return `${JSON.stringify(value)} needs 1 ≤ k ≤ n`;
  return { k, n, text: value };
}

const DURATION = /^([0-9]+(ms|s|m|h))+$/;
const DURATION_PART = /([0-9]+)(ms|s|m|h)/g;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a duration such as `"1m30s"`, or undefined when it is not one. */
export function durationMs(value: string): number | undefined {
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  for (const m of value.matchAll(DURATION_PART)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return total;
}

export const USER_NAME_PATTERN = /^[a-z_][a-z0-9_-]{0,31}$/;

/** A user or group: a name or a decimal id 0–65534 (string or integer). */
export function userOrGroupProblem(value: string | bigint): string | undefined {
  if (typeof value === 'bigint') {
    return value >= 0n && value <= 65534n ? undefined : 'id must be between 0 and 65534';
  }
  if (/^[0-9]+$/.test(value)) {
    return Number(value) <= 65534 ? undefined : 'id must be between 0 and 65534';
  }
  return USER_NAME_PATTERN.test(value)
    ? undefined
    : `${JSON.stringify(value)} is neither a user/group name ([a-z_][a-z0-9_-]{0,31}) nor a numeric id`;
}

/** OCI repository name (distribution spec): lowercase components joined by separators and `/`. */
export const OCI_NAME_PATTERN =
  /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
/** OCI tag. */
export const OCI_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function httpUrlProblem(value: string): string | undefined {
  if (!/^https?:\/\//.test(value)) return 'must be an http:// or https:// URL';
  if (!URL.canParse(value)) return 'is not a valid URL';
  return new URL(value).hostname === '' ? 'has no host' : undefined;
}

/** Last path segment of a URL or path, for hints (`…/wordpress-6.4.2.tar.gz` → that name). */
export function fileNameOf(location: string): string | undefined {
  const path = location.replace(/[?#].*$/, '');
  const name = path.slice(path.lastIndexOf('/') + 1).replace(/^file:/, '');
  return name === '' ? undefined : name;
}

const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function isDnsName(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => DNS_LABEL.test(l));
}

const IPV4 =
  /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

export function isIpv4(value: string): boolean {
  return IPV4.test(value);
}

export function isIpv6(value: string): boolean {
  return (
    /^[0-9A-Fa-f:.]+$/.test(value) && value.includes(':') && URL.canParse(`http://[${value}]/`)
  );
}

export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  if (isIpv4(address)) return Number(bits) <= 32;
  return isIpv6(address) && Number(bits) <= 128;
}

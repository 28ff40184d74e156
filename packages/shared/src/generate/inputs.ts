// SPDX-License-Identifier: Apache-2.0
// Build facts shared by the SBOM and provenance generators. The builder collects them (lock, dpkg
// status, fetched files, composer's installed.json) and passes the same values to both, so the purls
// and digests of the two documents agree (04 §6.4).
import { sha256HexOf } from '../crypto/index.js';
import { VcError } from '../errors.js';
import type { InstalledPackage } from '../image/index.js';

/**
 * An external dependency (`[dependencies.external]`) or an extra `fetch` download (01 §5.2). Fetches
 * have no version; their `name` is chosen by the caller (the file name of the URL).
 */
export interface ArtifactInput {
  readonly name: string;
  /** Omitted from the purl when absent or empty. */
  readonly version?: string;
  /** Download URL as locked (`https://…` or `file:<context path>`). */
  readonly url: string;
  /** sha256 of the downloaded bytes (64 hex, `sha256:` prefix accepted). */
  readonly sha256: string;
  /** SPDX expression; free text becomes a `LicenseRef-`; absent → NOASSERTION. */
  readonly license?: string;
}

/** A composer package as `vendor/composer/installed.json` describes it. */
export interface ComposerPackageInput {
  /** `vendor/name`. */
  readonly name: string;
  readonly version: string;
  /** `dist.url`, when composer recorded one. */
  readonly distUrl?: string;
  /** Tree digest (02 §6) of the installed directory (64 hex). */
  readonly treeDigest: string;
  /** installed.json `license`; joined with OR. */
  readonly license: readonly string[];
}

/** A package of a foreign (`oci:` or registry) base's dpkg status: no checksum is known for it. */
export interface BaseDpkgPackage {
  readonly name: string;
  readonly version: string;
  readonly arch: string;
}

/** The base image as the build resolved it: `[base] image` as written plus its manifest digest. */
export interface BaseImageInput {
  /** `cerro-torre/debian:<suite>[-slim]`, `oci:<dir>[:<ref>]` or `<host>/<repo>[:<tag>][@…]`. */
  readonly ref: string;
  /** Digest of the base's image manifest (64 hex, `sha256:` prefix accepted). */
  readonly manifestDigest: string;
}

/** An `oci:` or registry base, whose dpkg packages are covered by its digest only (02 §5). */
export interface ForeignBaseInput extends BaseImageInput {
  readonly dpkgPackages: readonly BaseDpkgPackage[];
}

/** What the provenance needs of a Debian package; {@link InstalledPackage} has all of it. */
export type DebianDependencyInput = Pick<
  InstalledPackage,
  | 'name'
  | 'version'
  | 'architecture'
  | 'sha256'
  | 'source'
  | 'sourceVersion'
  | 'pocket'
  | 'downloadLocation'
>;

/** Lowercase 64 hex of `value` (bare or `sha256:`), else `INVALID_ARGUMENT` naming `what`. */
export function requireSha256Hex(value: string, what: string): string {
  const hex = sha256HexOf(value);
  if (hex === null) {
    throw new VcError(
      'INVALID_ARGUMENT',
      `${what} is not a sha256 digest: ${JSON.stringify(value)}`,
    );
  }
  return hex;
}

/** The largest epoch 01 §6.3 allows (9999-12-31T23:59:59Z). */
export const MAX_SOURCE_DATE_EPOCH = 253402300799;

/** Checks a SOURCE_DATE_EPOCH (integer 0–253402300799, 01 §6.3); `INVALID_ARGUMENT` otherwise. */
export function requireEpoch(epoch: number): number {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_SOURCE_DATE_EPOCH) {
    throw new VcError(
      'INVALID_ARGUMENT',
      `sourceDateEpoch must be an integer 0–${MAX_SOURCE_DATE_EPOCH}, got ${epoch}`,
    );
  }
  return epoch;
}

/** Orders strings by UTF-16 code units, as JCS orders member names. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// SPDX-License-Identifier: Apache-2.0

/** A resolved Debian package as the lock records it (01 §5.2 `packages`). */
export interface LockedPackage {
  readonly name: string;
  /** Full version with epoch (`1:1.35.0-4+b3`). */
  readonly version: string;
  readonly architecture: string;
  /** Lowercase sha256 hex of the .deb. */
  readonly sha256: string;
  readonly size: number;
  readonly source: string;
  readonly sourceVersion: string;
  /** The suite it came from: `bookworm`, `bookworm-updates` or `bookworm-security`. */
  readonly pocket: string;
  /** Pool path (`pool/main/b/busybox/busybox_1.35.0-4+b3_amd64.deb`). */
  readonly filename: string;
  /** Named in the manifest's `[dependencies].packages`. */
  readonly requested: boolean;
}

/** What an installed package adds for the SBOM (02 §5): read from its control data and copyright. */
export interface InstalledPackage extends LockedPackage {
  /** `Name <email>` of the control file's Maintainer field. */
  readonly maintainer: string;
  /** Raw `Depends` and `Pre-Depends` fields ('' when absent). */
  readonly depends: string;
  readonly preDepends: string;
  readonly provides: string;
  /** Declared licence: an SPDX expression, or NOASSERTION (02 §5.1). */
  readonly license: string;
  /** `LicenseRef-…` ids used by `license`, with their text. */
  readonly extractedLicenses: readonly { id: string; text: string }[];
  /** Mirror URL + pool path. */
  readonly downloadLocation: string;
}

const PURL_NAME_SAFE = /[A-Za-z0-9.\-_~]/;

/** Percent-encodes a purl name or version (02 §5: `:` → `%3A`, `+` → `%2B`). */
export function encodePurlComponent(text: string): string {
  let out = '';
  for (const ch of text) {
    out += PURL_NAME_SAFE.test(ch)
      ? ch
      : Array.from(
          new TextEncoder().encode(ch),
          (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
        ).join('');
  }
  return out;
}

/** `pkg:deb/debian/<name>@<version>?arch=<arch>&distro=debian-<VERSION_ID>` (02 §5). */
export function debianPurl(name: string, version: string, arch: string, versionId: string): string {
  return `pkg:deb/debian/${encodePurlComponent(name)}@${encodePurlComponent(version)}?arch=${arch}&distro=debian-${versionId}`;
}

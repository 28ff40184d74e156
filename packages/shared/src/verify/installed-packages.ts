// SPDX-License-Identifier: Apache-2.0
// "SBOM matches deployed files" (05 §4.8 line 3): the Debian packages an image's SBOM lists,
// the packages a rootfs's `/var/lib/dpkg/status` says are installed, and how the two differ. Pure.
import { childPath, isJsonObject } from '../attestation/check-helpers.js';
import { parseBundle } from '../attestation/bundle.js';
import { decodeStatement, SPDX_PREDICATE_TYPE } from '../attestation/statement.js';
import { parsePurl } from '../attestation/sbom-purl.js';

/** A Debian package as both sides name it. */
export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly architecture: string;
}

/** The packages on one side only (sorted by `name version architecture`). */
export interface PackageSetDifference {
  /** In the SBOM, not installed. */
  readonly missing: InstalledPackage[];
  /** Installed, not in the SBOM. */
  readonly extra: InstalledPackage[];
}

/**
 * The SPDX document of the first SPDX statement of a bundle; undefined when the bundle or that
 * statement cannot be read (verification reports why).
 */
export function sbomOfBundle(bundleBytes: Uint8Array): unknown {
  const { bundle } = parseBundle(bundleBytes);
  if (bundle === undefined) return undefined;
  for (const [i, envelope] of bundle.attestations.entries()) {
    const { statement } = decodeStatement(envelope, childPath('$', 'attestations', i));
    if (statement?.predicateType === SPDX_PREDICATE_TYPE) return statement.predicate;
  }
  return undefined;
}

/** Debian's `VERSION_ID` → suite, for `$VC_ROOT/vulndb/<suite>` (the SBOM records the id only). */
const DEBIAN_SUITES: Readonly<Record<string, string>> = {
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

/**
 * The Debian suite of an SPDX document (04 §6.5 `$VC_ROOT/vulndb/<suite>`): its operating-system
 * package `debian` with `versionInfo` `12` is `bookworm`; undefined for anything else.
 */
export function debianSuiteOfSbom(sbom: unknown): string | undefined {
  if (typeof sbom !== 'object' || sbom === null) return undefined;
  const packages = (sbom as { packages?: unknown }).packages;
  if (!Array.isArray(packages)) return undefined;
  for (const p of packages as unknown[]) {
    const pkg = p as { primaryPackagePurpose?: unknown; name?: unknown; versionInfo?: unknown };
    if (pkg.primaryPackagePurpose === 'OPERATING_SYSTEM' && pkg.name === 'debian') {
      return typeof pkg.versionInfo === 'string' && Object.hasOwn(DEBIAN_SUITES, pkg.versionInfo)
        ? DEBIAN_SUITES[pkg.versionInfo]
        : undefined;
    }
  }
  return undefined;
}

/**
 * The Debian packages of an SPDX document: every package with a `pkg:deb/` purl, named by the
 * purl's name, version and `arch` qualifier (`all` packages keep `all`).
 */
export function debianPackagesOfSpdx(sbom: unknown): InstalledPackage[] {
  const packages = isJsonObject(sbom) && Array.isArray(sbom.packages) ? sbom.packages : [];
  const out: InstalledPackage[] = [];
  for (const pkg of packages) {
    if (!isJsonObject(pkg) || !Array.isArray(pkg.externalRefs)) continue;
    for (const ref of pkg.externalRefs) {
      if (!isJsonObject(ref) || typeof ref.referenceLocator !== 'string') continue;
      if (!ref.referenceLocator.startsWith('pkg:deb/')) continue;
      const parsed = parsePurl(ref.referenceLocator);
      if (!parsed.ok || parsed.purl.version === undefined) continue;
      out.push({
        name: parsed.purl.name,
        version: parsed.purl.version,
        architecture: parsed.purl.qualifiers['arch'] ?? '',
      });
      break;
    }
  }
  return sortPackages(out);
}

/**
 * The installed packages of a dpkg status file: stanzas whose `Status` ends in `installed`
 * (`install ok installed`), by `Package`, `Version` and `Architecture`. Continuation lines and
 * other fields are skipped.
 */
export function parseDpkgStatus(text: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      if (line === '' || line.startsWith(' ') || line.startsWith('\t')) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const key = line.slice(0, colon).toLowerCase();
      if (!fields.has(key)) fields.set(key, line.slice(colon + 1).trim());
    }
    const name = fields.get('package');
    const version = fields.get('version');
    const status = fields.get('status')?.split(/\s+/);
    if (name === undefined || version === undefined || status?.at(-1) !== 'installed') continue;
    out.push({ name, version, architecture: fields.get('architecture') ?? '' });
  }
  return sortPackages(out);
}

/** What one set has that the other lacks, by (name, version, architecture). */
export function comparePackageSets(
  sbom: readonly InstalledPackage[],
  installed: readonly InstalledPackage[],
): PackageSetDifference {
  const key = (p: InstalledPackage) => `${p.name} ${p.version} ${p.architecture}`;
  const inSbom = new Set(sbom.map(key));
  const onDisk = new Set(installed.map(key));
  return {
    missing: sortPackages(sbom.filter((p) => !onDisk.has(key(p)))),
    extra: sortPackages(installed.filter((p) => !inSbom.has(key(p)))),
  };
}

/** `name version (architecture)` for messages. */
export function describePackage(p: InstalledPackage): string {
  return p.architecture !== ''
    ? `${p.name} ${p.version} (${p.architecture})`
    : `${p.name} ${p.version}`;
}

function sortPackages(list: InstalledPackage[]): InstalledPackage[] {
  const key = (p: InstalledPackage) => `${p.name}\u0000${p.version}\u0000${p.architecture}`;
  return list.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// SPDX-License-Identifier: Apache-2.0
import { isJsonObject, childPath } from '../attestation/check-helpers.js';
import { VcError, type Problem } from '../errors.js';
import { compareDebianVersions } from './debian-version.js';

/** Severities of 04 §6.5 in increasing order. */
export const SEVERITIES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One package record of a debsecan database. */
export interface VulnDbRecord {
  readonly package: string;
  readonly vulnerability: string;
  /** `S` source package, `B` binary package. */
  readonly kind: 'S' | 'B';
  /** From the urgency flag: ` ` unknown, `L` low, `M` medium, `H` high. */
  readonly severity: Exclude<Severity, 'none' | 'critical'> | 'unknown';
  readonly fixAvailable: boolean;
  readonly fixedVersion: string;
  readonly otherFixedVersions: readonly string[];
}

/** A debsecan database (04 §6.5) as parsed text. */
export interface VulnDb {
  readonly vulnerabilities: readonly { readonly id: string; readonly description: string }[];
  readonly records: readonly VulnDbRecord[];
}

/** A Debian package of the SBOM: name, version, source and source version. */
export interface DebianPackageRef {
  readonly name: string;
  readonly version: string;
  readonly source: string;
  readonly sourceVersion: string;
}

export interface VulnFinding {
  readonly id: string;
  readonly package: string;
  readonly version: string;
  readonly severity: VulnDbRecord['severity'];
  readonly fixAvailable: boolean;
}

/** The manifest's `[verification.vulnerability-scanning]` gate settings. */
export interface VulnerabilityPolicy {
  readonly maxSeverity: Severity;
  readonly ignore: readonly string[];
  readonly ignoreUnfixed: boolean;
}

const URGENCY: Readonly<Record<string, VulnDbRecord['severity']>> = {
  ' ': 'unknown',
  L: 'low',
  M: 'medium',
  H: 'high',
};

/**
 * Parses the decompressed text of a debsecan database (04 §6.5): `VERSION 1`, the vulnerability
 * block, then the package block (the source→binary block is not needed). Throws
 * `VULNERABILITY_DB_INVALID` naming the line for anything else.
 */
export function parseVulnDb(text: string): VulnDb {
  const lines = text.split('\n');
  const fail = (line: number, why: string): never => {
    throw new VcError('VULNERABILITY_DB_INVALID', `vulnerability database line ${line}: ${why}`, {
      hint: 'the database is debsecan format: zlib of "VERSION 1" and three blocks',
    });
  };
  if (lines[0] !== 'VERSION 1') fail(1, 'the first line must be "VERSION 1"');
  const vulnerabilities: { id: string; description: string }[] = [];
  let i = 1;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i] as string;
    const first = line.indexOf(',');
    const second = line.indexOf(',', first + 1);
    if (first <= 0 || second === -1) fail(i + 1, 'expected <id>,<unused>,<description>');
    vulnerabilities.push({ id: line.slice(0, first), description: line.slice(second + 1) });
  }
  const records: VulnDbRecord[] = [];
  for (i++; i < lines.length && lines[i] !== ''; i++) {
    const parts = (lines[i] as string).split(',');
    const [pkg, index, flags, fixed, others] = parts;
    const vuln = vulnerabilities[Number(index)];
    if (
      parts.length !== 5 ||
      pkg === undefined ||
      pkg === '' ||
      !/^[0-9]+$/.test(index ?? '') ||
      vuln === undefined ||
      flags === undefined ||
      !/^[SB][ LMH][?R ][F ]$/.test(flags)
    ) {
      fail(
        i + 1,
        'expected <package>,<record index>,<flags>,<fixed version>,<other fixed versions>',
      );
    }
    const f = flags as string;
    records.push({
      package: pkg as string,
      vulnerability: (vuln as { id: string }).id,
      kind: f[0] as 'S' | 'B',
      severity: URGENCY[f[1] as string] ?? 'unknown',
      fixAvailable: f[3] === 'F',
      fixedVersion: fixed ?? '',
      otherFixedVersions: (others ?? '').split(' ').filter((v) => v !== ''),
    });
  }
  return { vulnerabilities, records };
}

/**
 * The Debian packages of an SPDX document: packages with a `pkg:deb/` purl; source and source
 * version from `sourceInfo` ("built package from: <source> <version>"), else the package's own.
 */
export function debianPackagesOfSbom(sbom: unknown): DebianPackageRef[] {
  const packages = isJsonObject(sbom) && Array.isArray(sbom.packages) ? sbom.packages : [];
  const out: DebianPackageRef[] = [];
  for (const pkg of packages) {
    if (!isJsonObject(pkg) || typeof pkg.name !== 'string' || typeof pkg.versionInfo !== 'string') {
      continue;
    }
    const refs = Array.isArray(pkg.externalRefs) ? pkg.externalRefs : [];
    const isDeb = refs.some(
      (r) =>
        isJsonObject(r) &&
        typeof r.referenceLocator === 'string' &&
        r.referenceLocator.startsWith('pkg:deb/'),
    );
    if (!isDeb) continue;
    const m =
      typeof pkg.sourceInfo === 'string'
        ? /^built package from: (\S+) (\S+)$/.exec(pkg.sourceInfo)
        : null;
    out.push({
      name: pkg.name,
      version: pkg.versionInfo,
      source: m?.[1] ?? pkg.name,
      sourceVersion: m?.[2] ?? pkg.versionInfo,
    });
  }
  return out;
}

/**
 * What debsecan reports for the packages (04 §6.5): a `B` record for the name affects when its
 * fixed version is empty or the version is lower; an `S` record for the source affects when
 * (fixed empty or the source version lower) and the source version is not among the other fixed
 * versions. One finding per (vulnerability, binary package).
 */
export function findVulnerabilities(
  db: VulnDb,
  packages: readonly DebianPackageRef[],
): VulnFinding[] {
  const byName = new Map<string, VulnDbRecord[]>();
  for (const r of db.records) {
    const key = `${r.kind}:${r.package}`;
    byName.set(key, [...(byName.get(key) ?? []), r]);
  }
  const findings: VulnFinding[] = [];
  const seen = new Set<string>();
  for (const p of packages) {
    const affecting = [
      ...(byName.get(`B:${p.name}`) ?? []).filter(
        (r) => r.fixedVersion === '' || compareDebianVersions(p.version, r.fixedVersion) < 0,
      ),
      ...(byName.get(`S:${p.source}`) ?? []).filter(
        (r) =>
          (r.fixedVersion === '' || compareDebianVersions(p.sourceVersion, r.fixedVersion) < 0) &&
          !r.otherFixedVersions.some((v) => compareDebianVersions(v, p.sourceVersion) === 0),
      ),
    ];
    for (const r of affecting) {
      const key = `${r.vulnerability} ${p.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      findings.push({
        id: r.vulnerability,
        package: p.name,
        version: p.version,
        severity: r.severity,
        fixAvailable: r.fixAvailable,
      });
    }
  }
  return findings;
}

/**
 * The vulnerability gate (04 §6.5): a finding fails when its severity is above `maxSeverity`, its
 * id is not ignored, and not (`ignoreUnfixed` and no fix). Unknown urgency never fails; it is a
 * warning. Failures are `VULNERABILITY_FOUND`, one per finding.
 */
export function checkVulnerabilities(
  findings: readonly VulnFinding[],
  policy: VulnerabilityPolicy,
  sbomPath = '$',
): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const limit = SEVERITIES.indexOf(policy.maxSeverity);
  for (const f of findings) {
    if (policy.ignore.includes(f.id)) continue;
    const text = `${f.id} in ${f.package} ${f.version} (${f.severity}, ${f.fixAvailable ? 'fix available' : 'no fix'})`;
    if (f.severity === 'unknown') {
      warnings.push({ code: 'VULNERABILITY_UNKNOWN_SEVERITY', message: text, path: sbomPath });
      continue;
    }
    if (SEVERITIES.indexOf(f.severity) <= limit) continue;
    if (policy.ignoreUnfixed && !f.fixAvailable) continue;
    errors.push({
      code: 'VULNERABILITY_FOUND',
      message: text,
      path: childPath(sbomPath, 'packages'),
    });
  }
  return { errors, warnings };
}

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { compareDebianVersions } from './debian-version.js';
import {
  checkVulnerabilities,
  debianPackagesOfSbom,
  findVulnerabilities,
  parseVulnDb,
} from './vulnerabilities.js';

// Each pair was checked with `dpkg --compare-versions` on Debian 12.
const ORDERED: [string, string][] = [
  ['1.0', '1.0-1'],
  ['1.0~rc1', '1.0'],
  ['2.0', '1:1.0'],
  ['1.2.13.dfsg-1', '1.2.13.dfsg-1+deb12u1'],
  ['1.0', '1.0a'],
  ['1.0', '1.0+b1'],
  ['2.36-9+deb12u4', '2.36-9+deb12u10'],
  ['1.0-1~bpo1', '1.0-1'],
];

describe('compareDebianVersions (Debian Policy §5.6.12)', () => {
  it.each(ORDERED)('%s < %s', (a, b) => {
    expect(compareDebianVersions(a, b)).toBeLessThan(0);
    expect(compareDebianVersions(b, a)).toBeGreaterThan(0);
  });
  it('treats 0 epochs, leading zeros and an absent revision as equal', () => {
    expect(compareDebianVersions('0:1.01', '1.1')).toBe(0);
    expect(compareDebianVersions('1.0-0', '1.0')).toBe(0);
  });
});

const DB = [
  'VERSION 1',
  'CVE-2099-0001,,zlib overflow',
  'CVE-2099-0002,,glibc thing',
  'CVE-2099-0003,,unknown urgency',
  '',
  'zlib,0,SHRF,1:1.2.13.dfsg-2,',
  'glibc,1,SMR ,2.36-10,2.36-9+deb12u4',
  'busybox,2,B ? ,,',
  '',
  'zlib,zlib1g',
  '',
].join('\n');

const PACKAGES = [
  { name: 'zlib1g', version: '1:1.2.13.dfsg-1', source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1' },
  { name: 'libc6', version: '2.36-9+deb12u4', source: 'glibc', sourceVersion: '2.36-9+deb12u4' },
  { name: 'busybox', version: '1:1.35.0-4+b3', source: 'busybox', sourceVersion: '1:1.35.0-4' },
];

describe('the vulnerability gate (04 §6.5)', () => {
  it('finds what debsecan finds: lower than fixed, not among the other fixed versions', () => {
    const findings = findVulnerabilities(parseVulnDb(DB), PACKAGES);
    expect(findings).toEqual([
      {
        id: 'CVE-2099-0001',
        package: 'zlib1g',
        version: '1:1.2.13.dfsg-1',
        severity: 'high',
        fixAvailable: true,
      },
      {
        id: 'CVE-2099-0003',
        package: 'busybox',
        version: '1:1.35.0-4+b3',
        severity: 'unknown',
        fixAvailable: false,
      },
    ]);
  });
  it('fails above max-severity, warns for unknown urgency, honours ignores', () => {
    const findings = findVulnerabilities(parseVulnDb(DB), PACKAGES);
    const medium = checkVulnerabilities(findings, {
      maxSeverity: 'medium',
      ignore: [],
      ignoreUnfixed: false,
    });
    expect(medium.errors.map((e) => [e.code, e.message])).toEqual([
      ['VULNERABILITY_FOUND', 'CVE-2099-0001 in zlib1g 1:1.2.13.dfsg-1 (high, fix available)'],
    ]);
    expect(medium.warnings.map((w) => w.code)).toEqual(['VULNERABILITY_UNKNOWN_SEVERITY']);
    expect(
      checkVulnerabilities(findings, {
        maxSeverity: 'medium',
        ignore: ['CVE-2099-0001'],
        ignoreUnfixed: false,
      }).errors,
    ).toEqual([]);
    expect(
      checkVulnerabilities(findings, { maxSeverity: 'high', ignore: [], ignoreUnfixed: false })
        .errors,
    ).toEqual([]);
  });
  it('refuses a database that is not debsecan format', () => {
    expect(() => parseVulnDb('hello')).toThrow(
      expect.objectContaining({ code: 'VULNERABILITY_DB_INVALID' }) as Error,
    );
    expect(() => parseVulnDb('VERSION 1\nX,,y\n\nzlib,7,SHRF,1,\n')).toThrow(
      expect.objectContaining({ code: 'VULNERABILITY_DB_INVALID' }) as Error,
    );
  });
  it('reads the Debian packages of an SBOM with their sources', () => {
    const sbom = {
      packages: [
        {
          name: 'zlib1g',
          versionInfo: '1:1.2.13.dfsg-1',
          sourceInfo: 'built package from: zlib 1:1.2.13.dfsg-1',
          externalRefs: [
            { referenceLocator: 'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64' },
          ],
        },
        {
          name: 'app',
          versionInfo: '1',
          externalRefs: [{ referenceLocator: 'pkg:generic/app@1' }],
        },
      ],
    };
    expect(debianPackagesOfSbom(sbom)).toEqual([PACKAGES[0]]);
  });
});

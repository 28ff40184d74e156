// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  comparePackageSets,
  debianPackagesOfSpdx,
  debianSuiteOfSbom,
  describePackage,
  parseDpkgStatus,
} from './installed-packages.js';

const STATUS = `Package: zlib1g
Status: install ok installed
Priority: optional
Architecture: amd64
Version: 1:1.2.13.dfsg-1
Description: compression library
 continuation: not a field

Package: removed
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: base-files
Status: install ok installed
Architecture: amd64
Version: 12.4+deb12u5
`;

describe('installed packages (05 §4.8 line 3)', () => {
  it('reads the installed stanzas of a dpkg status file, sorted', () => {
    expect(parseDpkgStatus(STATUS)).toEqual([
      { name: 'base-files', version: '12.4+deb12u5', architecture: 'amd64' },
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'amd64' },
    ]);
  });

  it('reads the Debian packages of an SPDX document by purl', () => {
    const sbom = {
      packages: [
        { name: 'image', primaryPackagePurpose: 'CONTAINER' },
        {
          name: 'zlib1g',
          externalRefs: [
            {
              referenceType: 'purl',
              referenceLocator:
                'pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12',
            },
          ],
        },
        {
          name: 'app',
          externalRefs: [{ referenceLocator: 'pkg:composer/acme/app@1.0.0' }],
        },
      ],
    };
    expect(debianPackagesOfSpdx(sbom)).toEqual([
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'amd64' },
    ]);
    expect(debianPackagesOfSpdx('not an sbom')).toEqual([]);
  });

  it('names what is missing and what is extra', () => {
    const installed = parseDpkgStatus(STATUS);
    const sbom = [
      { name: 'zlib1g', version: '1:1.2.13.dfsg-1', architecture: 'amd64' },
      { name: 'libc6', version: '2.36-9', architecture: 'amd64' },
    ];
    expect(comparePackageSets(sbom, installed)).toEqual({
      missing: [{ name: 'libc6', version: '2.36-9', architecture: 'amd64' }],
      extra: [{ name: 'base-files', version: '12.4+deb12u5', architecture: 'amd64' }],
    });
    expect(comparePackageSets(installed, installed)).toEqual({ missing: [], extra: [] });
    expect(describePackage(sbom[1]!)).toBe('libc6 2.36-9 (amd64)');
  });
});

describe('debianSuiteOfSbom (04 §6.5 $VC_ROOT/vulndb/<suite>)', () => {
  const os = (name: string, versionInfo: unknown) => ({
    packages: [
      { name: 'busybox', versionInfo: '1:1.35.0-4+b3' },
      { name, versionInfo, primaryPackagePurpose: 'OPERATING_SYSTEM' },
    ],
  });
  it('names the suite of the Debian operating-system package', () => {
    expect(debianSuiteOfSbom(os('debian', '12'))).toBe('bookworm');
    expect(debianSuiteOfSbom(os('debian', '13'))).toBe('trixie');
  });
  it('is undefined for another system, an unknown or odd version, or no SBOM', () => {
    expect(debianSuiteOfSbom(os('alpine', '3.20'))).toBeUndefined();
    expect(debianSuiteOfSbom(os('debian', '99'))).toBeUndefined();
    expect(debianSuiteOfSbom(os('debian', 'toString'))).toBeUndefined();
    expect(debianSuiteOfSbom(os('debian', 12))).toBeUndefined();
    expect(debianSuiteOfSbom({ packages: 'x' })).toBeUndefined();
    expect(debianSuiteOfSbom(undefined)).toBeUndefined();
  });
});

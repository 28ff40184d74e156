// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { checkLicenses } from './licenses.js';

const sbom = (...licenses: string[]) => ({
  packages: [
    {
      name: 'debian',
      versionInfo: '12',
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      licenseDeclared: 'GPL-3.0-only',
    },
    ...licenses.map((l, i) => ({ name: `p${i}`, versionInfo: '1.0', licenseDeclared: l })),
  ],
});

const codes = (doc: object, policy: Parameters<typeof checkLicenses>[1]) =>
  checkLicenses(doc, policy, '$').map((p) => `${p.path} ${p.code}`);

describe('checkLicenses (04 §6.3)', () => {
  it('denies a package using a denied id, skipping the OPERATING_SYSTEM one', () => {
    expect(codes(sbom('MIT', 'MIT OR GPL-3.0-only'), { denied: ['gpl-3.0-only'] })).toEqual([
      '$.packages[2].licenseDeclared LICENSE_DENIED',
    ]);
  });
  it('matches LicenseRef- entries and the keywords unknown and proprietary', () => {
    expect(
      codes(sbom('LicenseRef-proprietary', 'NOASSERTION'), { denied: ['proprietary', 'unknown'] }),
    ).toHaveLength(2);
    expect(codes(sbom('LicenseRef-acme'), { denied: ['acme'] })).toHaveLength(1);
  });
  it('requires the allow list to satisfy the expression (OR either side, AND both)', () => {
    const allowed = ['MIT', 'Apache-2.0'];
    expect(
      codes(sbom('MIT OR GPL-2.0-only', 'Apache-2.0 WITH LLVM-exception'), { allowed }),
    ).toEqual([]);
    expect(codes(sbom('MIT AND GPL-2.0-only', 'NOASSERTION'), { allowed })).toEqual([
      '$.packages[1].licenseDeclared LICENSE_DENIED',
    ]);
  });
  it('names the package, version and expression', () => {
    const [p] = checkLicenses(sbom('GPL-2.0-only'), { allowed: ['MIT'] }, '$.x');
    expect(p?.message).toBe(
      'p0 1.0 is licensed GPL-2.0-only, which is not satisfiable with the allowed licences',
    );
  });
});

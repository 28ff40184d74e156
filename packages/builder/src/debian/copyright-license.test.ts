// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { licenseFromCopyright, mapDebianLicense } from './copyright-license.js';

const dep5 = (body: string) =>
  `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: x\n\n${body}`;

describe('mapDebianLicense', () => {
  it.each([
    ['Apache-2.0', 'Apache-2.0'],
    ['apache-2.0', 'Apache-2.0'],
    ['zlib', 'Zlib'],
    ['PHP-3.01', 'PHP-3.01'],
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPL-3.0+', 'GPL-3.0-or-later'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['lgpl-2.1', 'LGPL-2.1-only'],
    ['AGPL-3', 'AGPL-3.0-only'],
    ['GFDL-1.3+', 'GFDL-1.3-or-later'],
    ['GPL-2.0-only', 'GPL-2.0-only'],
    ['Expat', 'MIT'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['BSD-2-Clause', 'BSD-2-Clause'],
    ['GPL-2+ or Artistic-2.0', 'GPL-2.0-or-later OR Artistic-2.0'],
    ['MIT and BSD-3-clause', 'MIT AND BSD-3-Clause'],
    [
      'GPL-2+ or Artistic-2.0, and BSD-3-clause',
      '(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause',
    ],
    ['MIT, and BSD-3-clause or Zlib', 'MIT AND (BSD-3-Clause OR Zlib)'],
    ['GPL-3+ with Autoconf exception', 'GPL-3.0-or-later WITH Autoconf-exception-3.0'],
    ['GPL-2+ with Font exception', 'GPL-2.0-or-later WITH Font-exception-2.0'],
    ['GPL-2 with Classpath-exception-2.0', 'GPL-2.0-only WITH Classpath-exception-2.0'],
  ])('%s → %s', (expression, expected) => {
    const mapped = mapDebianLicense(expression);
    expect(mapped.license).toBe(expected);
    expect(mapped.extractedLicenses).toEqual([]);
  });

  it('turns anything else into a LicenseRef with its text', () => {
    const mapped = mapDebianLicense('GPL-1+ or Artistic', (n) => `text of ${n}`);
    expect(mapped).toEqual({
      license: 'GPL-1.0-or-later OR LicenseRef-Artistic',
      extractedLicenses: [{ id: 'LicenseRef-Artistic', text: 'text of Artistic' }],
    });
    expect(mapDebianLicense('public-domain').license).toBe('LicenseRef-public-domain');
    expect(mapDebianLicense('GPL').license).toBe('LicenseRef-GPL');
    expect(mapDebianLicense('other license').license).toBe('LicenseRef-other-license');
  });

  it('keeps a with-clause without an SPDX exception as one LicenseRef', () => {
    const mapped = mapDebianLicense('GPL-2+ with OpenSSL exception');
    expect(mapped.license).toBe('LicenseRef-GPL-2--with-OpenSSL-exception');
    expect(mapped.extractedLicenses[0]?.text).toBe('GPL-2+ with OpenSSL exception');
  });
});

describe('licenseFromCopyright', () => {
  it('takes the Files: * paragraph of a DEP-5 file', () => {
    const text = dep5(
      [
        'Files: debian/*',
        'Copyright: 2020 Someone',
        'License: MIT',
        '',
        'Files: *',
        'Copyright: 1999 Upstream',
        'License: GPL-2+ or Artistic',
        '',
        'License: Artistic',
        ' The "Artistic License"',
        ' .',
        ' Preamble',
        '',
      ].join('\n'),
    );
    expect(licenseFromCopyright(text)).toEqual({
      license: 'GPL-2.0-or-later OR LicenseRef-Artistic',
      extractedLicenses: [
        { id: 'LicenseRef-Artistic', text: 'The "Artistic License"\n\nPreamble' },
      ],
    });
  });

  it('falls back to the first Files paragraph and to inline licence text', () => {
    const text = dep5(
      ['Files: src/*', 'Copyright: x', 'License: permissive', ' Do what you want.', ''].join('\n'),
    );
    expect(licenseFromCopyright(text)).toEqual({
      license: 'LicenseRef-permissive',
      extractedLicenses: [{ id: 'LicenseRef-permissive', text: 'Do what you want.' }],
    });
  });

  it('uses the name as text when no paragraph has it', () => {
    const text = dep5('Files: *\nCopyright: x\nLicense: public-domain\n');
    expect(licenseFromCopyright(text).extractedLicenses).toEqual([
      { id: 'LicenseRef-public-domain', text: 'public-domain' },
    ]);
  });

  it('is NOASSERTION for free-form, missing or broken files', () => {
    const busybox =
      'This package was debianized by Erik Andersen <andersee@debian.org> on\nSun, 18 Jun 2000\n\nIt is GPL-2.\n';
    expect(licenseFromCopyright(busybox).license).toBe('NOASSERTION');
    expect(licenseFromCopyright(undefined).license).toBe('NOASSERTION');
    expect(
      licenseFromCopyright('Format: http://dep.debian.net/deps/dep5\n\nFiles: *\nLicense: MIT\n')
        .license,
    ).toBe('NOASSERTION');
    expect(licenseFromCopyright(dep5('Files: *\nCopyright: x\n')).license).toBe('NOASSERTION');
  });
});

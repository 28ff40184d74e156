// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { checkSbom } from '../attestation/sbom.js';
import { sha256Hex } from '../crypto/index.js';
import type { InstalledPackage } from '../image/index.js';
import { canonicalize } from '../json/index.js';
import { generateSbom, parseNameEmail, type SbomInput, type SpdxDocument } from './spdx-sbom.js';

const DIGEST = 'dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';
const BUSYBOX_SHA = '9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91';
const BASE_DIGEST = 'b'.repeat(64);
const MIRROR = 'http://deb.debian.org/debian';

function installed(name: string, fields: Partial<InstalledPackage> = {}): InstalledPackage {
  const version = fields.version ?? '1.0-1';
  const architecture = fields.architecture ?? 'amd64';
  const filename = `pool/main/${name.charAt(0)}/${name}/${name}_${version}_${architecture}.deb`;
  return {
    name,
    version,
    architecture,
    sha256: sha256Hex(`${name} ${version} ${architecture}`),
    size: 1000,
    source: name,
    sourceVersion: version,
    pocket: 'bookworm',
    filename,
    requested: false,
    maintainer: 'Debian Maintainers <maint@lists.debian.org>',
    depends: '',
    preDepends: '',
    provides: '',
    license: 'GPL-2.0-only',
    extractedLicenses: [],
    downloadLocation: `${MIRROR}/${filename}`,
    ...fields,
  };
}

const busybox = installed('busybox', {
  version: '1:1.35.0-4+b3',
  sha256: BUSYBOX_SHA,
  sourceVersion: '1:1.35.0-4',
  maintainer: 'Debian Busybox Team <busybox@packages.debian.org>',
  downloadLocation: `${MIRROR}/pool/main/b/busybox/busybox_1.35.0-4+b3_amd64.deb`,
  depends: 'libc6 (>= 2.34)',
});

/** A small Debian image: the dependency graph of the relationship tests. */
const debianPackages: InstalledPackage[] = [
  busybox,
  installed('libc6', { version: '2.36-9+deb12u4', depends: 'libgcc-s1' }),
  installed('libc6', { version: '2.36-9+deb12u4', architecture: 'i386' }),
  installed('libgcc-s1', { depends: 'gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)' }),
  installed('gcc-12-base', { version: '12.2.0-14' }),
  installed('mawk', { provides: 'awk' }),
  // perl-base is not installed, so mawk satisfies the group through Provides.
  installed('debconf', { architecture: 'all', preDepends: 'perl-base (>= 5.20.1-3~) | awk' }),
  // Both alternatives are installed: both satisfy the group.
  installed('tool', { depends: 'mawk | busybox, libc6:any, missing-package' }),
];

function baseInput(): SbomInput {
  return {
    name: 'hello',
    version: '1.0.0',
    imageDigestHex: DIGEST,
    builderVersion: '0.1.0',
    sourceDateEpoch: 0,
    debianPackages: [],
  };
}

function fullInput(): SbomInput {
  return {
    ...baseInput(),
    name: 'acme/hello',
    maintainer: 'Jane Doe <jane@example.org>',
    license: 'Apache-2.0',
    sourceDateEpoch: 1700000000,
    osRelease: { id: 'debian', versionId: '12' },
    debianPackages,
    external: [
      {
        name: 'wp-cli',
        version: '2.9.0',
        url: 'https://github.com/wp-cli/wp-cli/releases/download/v2.9.0/wp-cli-2.9.0.phar',
        sha256: 'c'.repeat(64),
        license: 'MIT',
      },
    ],
    fetches: [
      {
        name: 'tool-1.2.tar.gz',
        url: 'https://example.org/dl/tool-1.2.tar.gz?x=1&y=a b',
        sha256: `sha256:${'d'.repeat(64)}`,
      },
    ],
    composer: [
      {
        name: 'symfony/polyfill-mbstring',
        version: 'v1.28.0',
        distUrl: 'https://api.github.com/repos/symfony/polyfill-mbstring/zipball/42292d99',
        treeDigest: 'e'.repeat(64),
        license: ['MIT'],
      },
      {
        name: 'x/dual',
        version: '2.0.0',
        treeDigest: 'f'.repeat(64),
        license: ['GPL-2.0-or-later', 'MIT AND BSD-3-Clause'],
      },
    ],
  };
}

function ids(doc: SpdxDocument): string[] {
  return doc.packages.map((p) => p.SPDXID);
}

function pkg(doc: SpdxDocument, id: string) {
  const found = doc.packages.find((p) => p.SPDXID === id);
  if (found === undefined) throw new Error(`no package ${id}`);
  return found;
}

function rels(doc: SpdxDocument, from: string, type = 'DEPENDS_ON'): string[] {
  return doc.relationships
    .filter((r) => r.spdxElementId === from && r.relationshipType === type)
    .map((r) => r.relatedSpdxElement);
}

function expectValid(doc: SpdxDocument): void {
  expect(checkSbom(doc, { subjectDigestHex: DIGEST })).toEqual([]);
  expect(checkSbom(JSON.parse(JSON.stringify(doc)), { subjectDigestHex: DIGEST })).toEqual([]);
}

describe('generateSbom (02 §5)', () => {
  it('writes the document of a scratch image with nothing installed', () => {
    const doc = generateSbom(baseInput());
    expect(doc).toEqual({
      spdxVersion: 'SPDX-2.3',
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'hello-1.0.0',
      documentNamespace: `https://verified-container.org/spdx/hello/1.0.0/${DIGEST}`,
      creationInfo: { created: '1970-01-01T00:00:00Z', creators: ['Tool: cerro-torre-0.1.0'] },
      packages: [
        {
          SPDXID: 'SPDXRef-Image',
          name: 'hello',
          versionInfo: '1.0.0',
          primaryPackagePurpose: 'CONTAINER',
          supplier: 'NOASSERTION',
          downloadLocation: 'NOASSERTION',
          filesAnalyzed: false,
          checksums: [{ algorithm: 'SHA256', checksumValue: DIGEST }],
          licenseDeclared: 'NOASSERTION',
          externalRefs: [
            {
              referenceCategory: 'PACKAGE-MANAGER',
              referenceType: 'purl',
              referenceLocator: `pkg:oci/hello@sha256%3A${DIGEST}?repository_url=hello&tag=1.0.0`,
            },
          ],
        },
      ],
      relationships: [
        {
          spdxElementId: 'SPDXRef-DOCUMENT',
          relationshipType: 'DESCRIBES',
          relatedSpdxElement: 'SPDXRef-Image',
        },
      ],
    });
    expectValid(doc);
  });

  it('accepts a sha256: prefixed digest and writes bare hex', () => {
    const doc = generateSbom({ ...baseInput(), imageDigestHex: `sha256:${DIGEST}` });
    expect(doc.documentNamespace.endsWith(`/${DIGEST}`)).toBe(true);
    expectValid(doc);
  });

  it('writes every row of the table for a Debian image with external, fetch and composer packages', () => {
    const doc = generateSbom(fullInput());
    expectValid(doc);
    expect(doc.name).toBe('acme/hello-1.0.0');
    expect(doc.documentNamespace).toBe(
      `https://verified-container.org/spdx/acme/hello/1.0.0/${DIGEST}`,
    );
    expect(doc.creationInfo.created).toBe('2023-11-14T22:13:20Z');
    expect(ids(doc)).toEqual([...ids(doc)].sort());
    expect(doc.packages.every((p) => p.filesAnalyzed === false)).toBe(true);

    expect(pkg(doc, 'SPDXRef-Image')).toMatchObject({
      name: 'acme/hello',
      supplier: 'Person: Jane Doe (jane@example.org)',
      licenseDeclared: 'Apache-2.0',
      externalRefs: [
        {
          referenceLocator: `pkg:oci/hello@sha256%3A${DIGEST}?repository_url=acme/hello&tag=1.0.0`,
        },
      ],
    });
    expect(pkg(doc, 'SPDXRef-OperatingSystem')).toEqual({
      SPDXID: 'SPDXRef-OperatingSystem',
      name: 'debian',
      versionInfo: '12',
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      supplier: 'Organization: Debian',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
    });
    expect(pkg(doc, 'SPDXRef-deb-busybox-amd64')).toEqual({
      SPDXID: 'SPDXRef-deb-busybox-amd64',
      name: 'busybox',
      versionInfo: '1:1.35.0-4+b3',
      supplier: 'Organization: Debian Busybox Team (busybox@packages.debian.org)',
      downloadLocation: `${MIRROR}/pool/main/b/busybox/busybox_1.35.0-4+b3_amd64.deb`,
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: BUSYBOX_SHA }],
      sourceInfo: 'built package from: busybox 1:1.35.0-4',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'GPL-2.0-only',
      copyrightText: 'NOASSERTION',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12',
        },
      ],
    });
    expect(pkg(doc, 'SPDXRef-external-wp-cli')).toEqual({
      SPDXID: 'SPDXRef-external-wp-cli',
      name: 'wp-cli',
      versionInfo: '2.9.0',
      downloadLocation:
        'https://github.com/wp-cli/wp-cli/releases/download/v2.9.0/wp-cli-2.9.0.phar',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: 'c'.repeat(64) }],
      licenseDeclared: 'MIT',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:generic/wp-cli@2.9.0?checksum=sha256:${'c'.repeat(64)}&download_url=https://github.com/wp-cli/wp-cli/releases/download/v2.9.0/wp-cli-2.9.0.phar`,
        },
      ],
    });
    expect(pkg(doc, 'SPDXRef-fetch-tool-1.2.tar.gz')).toEqual({
      SPDXID: 'SPDXRef-fetch-tool-1.2.tar.gz',
      name: 'tool-1.2.tar.gz',
      downloadLocation: 'https://example.org/dl/tool-1.2.tar.gz?x=1&y=a b',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: 'd'.repeat(64) }],
      licenseDeclared: 'NOASSERTION',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:generic/tool-1.2.tar.gz?checksum=sha256:${'d'.repeat(64)}&download_url=https://example.org/dl/tool-1.2.tar.gz%3Fx%3D1%26y%3Da%20b`,
        },
      ],
    });
    expect(pkg(doc, 'SPDXRef-composer-symfony-polyfill-mbstring')).toEqual({
      SPDXID: 'SPDXRef-composer-symfony-polyfill-mbstring',
      name: 'symfony/polyfill-mbstring',
      versionInfo: 'v1.28.0',
      downloadLocation: 'https://api.github.com/repos/symfony/polyfill-mbstring/zipball/42292d99',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: 'e'.repeat(64) }],
      licenseDeclared: 'MIT',
      comment: 'SHA256 is the tree digest of the installed directory',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:composer/symfony/polyfill-mbstring@v1.28.0',
        },
      ],
    });
    expect(pkg(doc, 'SPDXRef-composer-x-dual')).toMatchObject({
      downloadLocation: 'NOASSERTION',
      licenseDeclared: 'GPL-2.0-or-later OR (MIT AND BSD-3-Clause)',
    });
    expect(doc.hasExtractedLicensingInfos).toBeUndefined();
  });

  it('relates the document, the image and every package it contains', () => {
    const doc = generateSbom(fullInput());
    expect(rels(doc, 'SPDXRef-DOCUMENT', 'DESCRIBES')).toEqual(['SPDXRef-Image']);
    expect(rels(doc, 'SPDXRef-Image', 'CONTAINS')).toEqual(
      ids(doc).filter((id) => id !== 'SPDXRef-Image'),
    );
    const keys = doc.relationships.map(
      (r) => `${r.spdxElementId}\u0000${r.relationshipType}\u0000${r.relatedSpdxElement}`,
    );
    expect(keys).toEqual([...keys].sort());
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('has a Debian package depend on each installed package satisfying a Depends/Pre-Depends group', () => {
    const doc = generateSbom(fullInput());
    expect(rels(doc, 'SPDXRef-deb-busybox-amd64')).toEqual(['SPDXRef-deb-libc6-amd64']);
    // Unqualified names prefer the package's own architecture.
    expect(rels(doc, 'SPDXRef-deb-libc6-amd64')).toEqual(['SPDXRef-deb-libgcc-s1-amd64']);
    expect(rels(doc, 'SPDXRef-deb-libgcc-s1-amd64')).toEqual([
      'SPDXRef-deb-gcc-12-base-amd64',
      'SPDXRef-deb-libc6-amd64',
    ]);
    // Through Provides: awk.
    expect(rels(doc, 'SPDXRef-deb-debconf-all')).toEqual(['SPDXRef-deb-mawk-amd64']);
    // Both alternatives installed; `:any` matches every architecture; a missing name adds nothing.
    expect(rels(doc, 'SPDXRef-deb-tool-amd64')).toEqual([
      'SPDXRef-deb-busybox-amd64',
      'SPDXRef-deb-libc6-amd64',
      'SPDXRef-deb-libc6-i386',
      'SPDXRef-deb-mawk-amd64',
    ]);
    expect(rels(doc, 'SPDXRef-deb-gcc-12-base-amd64')).toEqual([]);
    expect(rels(doc, 'SPDXRef-deb-libc6-i386')).toEqual([]);
  });

  it('is deterministic and independent of the input order', () => {
    const input = fullInput();
    const reversed: SbomInput = {
      ...input,
      debianPackages: [...input.debianPackages].reverse(),
      composer: [...(input.composer ?? [])].reverse(),
    };
    const once = canonicalize(generateSbom(input));
    expect(canonicalize(generateSbom(input))).toBe(once);
    expect(canonicalize(generateSbom(reversed))).toBe(once);
  });

  it('lists a foreign base with its dpkg packages and relates them through SPDXRef-BaseImage', () => {
    const doc = generateSbom({
      ...baseInput(),
      osRelease: { id: 'debian', versionId: '12' },
      debianPackages: [installed('curl', { depends: 'libc6 (>= 2.34), libcurl4 (= 1.0-1)' })],
      foreignBase: {
        ref: 'registry.example.org/library/debian:bookworm',
        manifestDigest: `sha256:${BASE_DIGEST}`,
        dpkgPackages: [
          { name: 'libc6', version: '2.36-9', arch: 'amd64' },
          { name: 'base-files', version: '12.4+deb12u5', arch: 'amd64' },
        ],
      },
    });
    expectValid(doc);
    expect(pkg(doc, 'SPDXRef-BaseImage')).toEqual({
      SPDXID: 'SPDXRef-BaseImage',
      name: 'registry.example.org/library/debian:bookworm',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: [{ algorithm: 'SHA256', checksumValue: BASE_DIGEST }],
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: `pkg:oci/debian@sha256%3A${BASE_DIGEST}?repository_url=registry.example.org/library/debian&tag=bookworm`,
        },
      ],
    });
    expect(pkg(doc, 'SPDXRef-deb-base-files-amd64')).toEqual({
      SPDXID: 'SPDXRef-deb-base-files-amd64',
      name: 'base-files',
      versionInfo: '12.4+deb12u5',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      externalRefs: [
        {
          referenceCategory: 'PACKAGE-MANAGER',
          referenceType: 'purl',
          referenceLocator: 'pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12',
        },
      ],
    });
    expect(rels(doc, 'SPDXRef-Image')).toEqual(['SPDXRef-BaseImage']);
    expect(rels(doc, 'SPDXRef-Image', 'CONTAINS')).toEqual([
      'SPDXRef-OperatingSystem',
      'SPDXRef-deb-curl-amd64',
    ]);
    expect(rels(doc, 'SPDXRef-BaseImage', 'CONTAINS')).toEqual([
      'SPDXRef-deb-base-files-amd64',
      'SPDXRef-deb-libc6-amd64',
    ]);
    expect(rels(doc, 'SPDXRef-deb-curl-amd64')).toEqual(['SPDXRef-deb-libc6-amd64']);
  });

  it('names an oci: layout base after its ref', () => {
    const doc = generateSbom({
      ...baseInput(),
      foreignBase: {
        ref: 'oci:vendor/layout:app:2.1',
        manifestDigest: BASE_DIGEST,
        dpkgPackages: [],
      },
    });
    expectValid(doc);
    expect(pkg(doc, 'SPDXRef-BaseImage').externalRefs?.[0]?.referenceLocator).toBe(
      `pkg:oci/app@sha256%3A${BASE_DIGEST}?tag=2.1`,
    );
  });

  it('leaves out the OS row and the distro qualifier without os-release', () => {
    const doc = generateSbom({ ...baseInput(), debianPackages: [busybox] });
    expectValid(doc);
    expect(ids(doc)).toEqual(['SPDXRef-Image', 'SPDXRef-deb-busybox-amd64']);
    expect(pkg(doc, 'SPDXRef-deb-busybox-amd64').externalRefs?.[0]?.referenceLocator).toBe(
      'pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64',
    );
  });

  it('writes an OS without VERSION_ID, and supplier NOASSERTION for one that is not Debian', () => {
    const doc = generateSbom({ ...baseInput(), osRelease: { id: 'alpine' } });
    expectValid(doc);
    expect(pkg(doc, 'SPDXRef-OperatingSystem')).toEqual({
      SPDXID: 'SPDXRef-OperatingSystem',
      name: 'alpine',
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      supplier: 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
    });
  });

  it('declares every LicenseRef it uses', () => {
    const doc = generateSbom({
      ...baseInput(),
      license: 'Custom licence, see LICENSE',
      maintainer: 'The Hello Team',
      debianPackages: [
        installed('lucent', {
          license: 'LicenseRef-Lucent-Public AND GPL-2.0-or-later',
          extractedLicenses: [{ id: 'LicenseRef-Lucent-Public', text: 'Lucent Public License …' }],
        }),
        installed('other', {
          license: 'LicenseRef-Lucent-Public',
          extractedLicenses: [{ id: 'LicenseRef-Lucent-Public', text: 'a different text' }],
        }),
      ],
      external: [
        { name: 'a', version: '1', url: 'https://e.org/a', sha256: 'a'.repeat(64), license: 'a b' },
        { name: 'b', version: '1', url: 'https://e.org/b', sha256: 'b'.repeat(64), license: 'a_b' },
        {
          name: 'c',
          version: '1',
          url: 'https://e.org/c',
          sha256: 'c'.repeat(64),
          license: 'MIT OR LicenseRef-undeclared',
        },
      ],
      composer: [
        {
          name: 'acme/private',
          version: 'dev-main',
          treeDigest: 'd'.repeat(64),
          license: ['proprietary'],
        },
        { name: 'acme/none', version: '1.0.0', treeDigest: 'e'.repeat(64), license: [] },
      ],
    });
    expectValid(doc);
    expect(pkg(doc, 'SPDXRef-Image')).toMatchObject({
      supplier: 'NOASSERTION',
      licenseDeclared: 'LicenseRef-Custom-licence--see-LICENSE',
    });
    expect(pkg(doc, 'SPDXRef-external-a').licenseDeclared).toBe('LicenseRef-a-b');
    expect(pkg(doc, 'SPDXRef-external-b').licenseDeclared).toBe('LicenseRef-a-b-2');
    expect(pkg(doc, 'SPDXRef-composer-acme-private').licenseDeclared).toBe(
      'LicenseRef-proprietary',
    );
    expect(pkg(doc, 'SPDXRef-composer-acme-none').licenseDeclared).toBe('NOASSERTION');
    expect(doc.hasExtractedLicensingInfos).toEqual([
      {
        licenseId: 'LicenseRef-Custom-licence--see-LICENSE',
        extractedText: 'Custom licence, see LICENSE',
        name: 'Custom-licence--see-LICENSE',
      },
      {
        licenseId: 'LicenseRef-Lucent-Public',
        extractedText: 'Lucent Public License …',
        name: 'Lucent-Public',
      },
      { licenseId: 'LicenseRef-a-b', extractedText: 'a b', name: 'a-b' },
      { licenseId: 'LicenseRef-a-b-2', extractedText: 'a_b', name: 'a-b-2' },
      { licenseId: 'LicenseRef-proprietary', extractedText: 'proprietary', name: 'proprietary' },
      { licenseId: 'LicenseRef-undeclared', extractedText: 'undeclared', name: 'undeclared' },
    ]);
  });

  it('suffixes colliding SPDXIDs -2, -3… in sorted order, skipping ids that exist naturally', () => {
    const tool = (version: string, sha: string) => ({
      name: 'tool',
      version,
      url: `https://e.org/tool-${version}`,
      sha256: sha.repeat(64),
    });
    const doc = generateSbom({
      ...baseInput(),
      debianPackages: [installed('a-b'), installed('a+b'), installed('a.b')],
      external: [
        tool('2.0', 'a'),
        tool('1.0', 'b'),
        { name: 'tool-2', version: '1', url: 'https://e.org/t2', sha256: 'c'.repeat(64) },
        { name: 'tool_2', version: '1', url: 'https://e.org/t_2', sha256: 'd'.repeat(64) },
      ],
    });
    expectValid(doc);
    const named = Object.fromEntries(
      doc.packages.map((p) => [p.SPDXID, `${p.name} ${p.versionInfo ?? ''}`]),
    );
    expect(named).toEqual({
      'SPDXRef-Image': 'hello 1.0.0',
      'SPDXRef-deb-a-b-amd64': 'a+b 1.0-1',
      'SPDXRef-deb-a-b-amd64-2': 'a-b 1.0-1',
      'SPDXRef-deb-a.b-amd64': 'a.b 1.0-1',
      'SPDXRef-external-tool': 'tool 1.0',
      'SPDXRef-external-tool-3': 'tool 2.0',
      'SPDXRef-external-tool-2': 'tool-2 1',
      'SPDXRef-external-tool-2-2': 'tool_2 1',
    });
    expect(ids(doc)).toEqual([...ids(doc)].sort());
  });

  it('refuses malformed digests and epochs with INVALID_ARGUMENT', () => {
    expect(() => generateSbom({ ...baseInput(), imageDigestHex: 'abc' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => generateSbom({ ...baseInput(), sourceDateEpoch: -1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() =>
      generateSbom({ ...baseInput(), debianPackages: [installed('x', { sha256: 'nope' })] }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('parseNameEmail', () => {
  it.each([
    ['Jane Doe <jane@example.org>', ['Jane Doe', 'jane@example.org']],
    [
      '  Debian Busybox Team <busybox@packages.debian.org> ',
      ['Debian Busybox Team', 'busybox@packages.debian.org'],
    ],
    ['The Hello Team', undefined],
    ['<jane@example.org>', undefined],
    ['A <a@x>, B <b@x>', undefined],
  ])('%j', (text, expected) => {
    expect(parseNameEmail(text)).toEqual(expected);
  });
});

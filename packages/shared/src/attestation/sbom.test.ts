// SPDX-License-Identifier: Apache-2.0
// Fixtures are plain JSON edited in place by each case, so they are typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSbom } from './sbom.js';
import { localLicenseRefs, parseLicenseExpression } from './sbom-license.js';
import { parsePurl } from './sbom-purl.js';
import { SPDX_2_3_SCHEMA } from './spdx-2.3.schema.js';

const DIGEST = 'dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';
const DEB_SHA = '9d75f0d7c398df565d7ac04c6819b62d6d8f9560f5eb4672596ecd8f7e96ae91';

/** A small SBOM as 02 §5 describes it: image, OS, one Debian package. */
function sbom(): Record<string, any> {
  return {
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
        licenseDeclared: 'MIT AND LicenseRef-hello-extra',
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator: `pkg:oci/hello@sha256%3A${DIGEST}?repository_url=hello&tag=1.0.0`,
          },
        ],
      },
      {
        SPDXID: 'SPDXRef-OperatingSystem',
        name: 'debian',
        versionInfo: '12',
        primaryPackagePurpose: 'OPERATING_SYSTEM',
        supplier: 'Organization: Debian',
        downloadLocation: 'NOASSERTION',
        filesAnalyzed: false,
      },
      {
        SPDXID: 'SPDXRef-deb-busybox-amd64',
        name: 'busybox',
        versionInfo: '1:1.35.0-4+b3',
        supplier: 'Organization: Debian Busybox Team (busybox@packages.debian.org)',
        downloadLocation:
          'http://deb.debian.org/debian/pool/main/b/busybox/busybox_1.35.0-4+b3_amd64.deb',
        filesAnalyzed: false,
        checksums: [{ algorithm: 'SHA256', checksumValue: DEB_SHA }],
        sourceInfo: 'built package from: busybox 1:1.35.0-4',
        licenseDeclared: 'GPL-2.0-only',
        licenseConcluded: 'NOASSERTION',
        copyrightText: 'NOASSERTION',
        externalRefs: [
          {
            referenceCategory: 'PACKAGE-MANAGER',
            referenceType: 'purl',
            referenceLocator:
              'pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12',
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
      {
        spdxElementId: 'SPDXRef-Image',
        relationshipType: 'CONTAINS',
        relatedSpdxElement: 'SPDXRef-OperatingSystem',
      },
      {
        spdxElementId: 'SPDXRef-Image',
        relationshipType: 'CONTAINS',
        relatedSpdxElement: 'SPDXRef-deb-busybox-amd64',
      },
    ],
    hasExtractedLicensingInfos: [
      { licenseId: 'LicenseRef-hello-extra', extractedText: 'Some licence text.' },
    ],
  };
}

const check = (
  edit: (d: Record<string, any>) => void = () => {},
  digest: string | undefined = DIGEST,
) => {
  const doc = sbom();
  edit(doc);
  return checkSbom(doc, digest === undefined ? {} : { subjectDigestHex: digest }).map((p) => [
    p.code,
    p.path,
  ]);
};

describe('checkSbom (02 §5)', () => {
  it('accepts a minimal valid SPDX 2.3 document', () => {
    expect(check()).toEqual([]);
    expect(check(undefined, `sha256:${DIGEST}`)).toEqual([]);
    expect(check(undefined, undefined)).toEqual([]);
  });

  it('reports schema problems at their JSONPath', () => {
    expect(check((d) => delete d.packages[2].name)).toEqual([
      ['SBOM_INVALID', '$.packages[2].name'],
    ]);
    expect(check((d) => (d.packages[0].filesAnalyzed = 'no'))).toEqual([
      ['SBOM_INVALID', '$.packages[0].filesAnalyzed'],
    ]);
    expect(check((d) => (d.packages[0].bogus = 1))).toEqual([
      ['SBOM_INVALID', '$.packages[0].bogus'],
    ]);
    expect(check((d) => (d.relationships[1].relationshipType = 'HOLDS'))).toEqual([
      ['SBOM_INVALID', '$.relationships[1].relationshipType'],
    ]);
    expect(checkSbom([], {}).map((p) => p.path)).toEqual(['$']);
  });

  it.each<[string, (d: Record<string, any>) => void, string]>([
    ['missing documentNamespace', (d) => delete d.documentNamespace, '$.documentNamespace'],
    [
      'relative documentNamespace',
      (d) => (d.documentNamespace = 'hello/1.0.0'),
      '$.documentNamespace',
    ],
    ['documentNamespace with #', (d) => (d.documentNamespace += '#x'), '$.documentNamespace'],
    ['spdxVersion 2.2', (d) => (d.spdxVersion = 'SPDX-2.2'), '$.spdxVersion'],
    [
      'bad SPDXID',
      (d) => (d.packages[1].SPDXID = 'SPDXRef-Operating_System'),
      '$.packages[1].SPDXID',
    ],
    [
      'duplicate SPDXID',
      (d) => (d.packages[2].SPDXID = 'SPDXRef-OperatingSystem'),
      '$.packages[2].SPDXID',
    ],
    [
      'relationship to a missing SPDXID',
      (d) => (d.relationships[2].relatedSpdxElement = 'SPDXRef-deb-gone'),
      '$.relationships[2].relatedSpdxElement',
    ],
    [
      'relationship from a missing SPDXID',
      (d) => (d.relationships[1].spdxElementId = 'SPDXRef-Nope'),
      '$.relationships[1].spdxElementId',
    ],
    ['no DESCRIBES', (d) => d.relationships.shift(), '$.relationships'],
    [
      'two DESCRIBES',
      (d) =>
        d.relationships.push({
          spdxElementId: 'SPDXRef-DOCUMENT',
          relationshipType: 'DESCRIBES',
          relatedSpdxElement: 'SPDXRef-OperatingSystem',
        }),
      '$.relationships[3].relatedSpdxElement',
    ],
    [
      'DESCRIBES NOASSERTION',
      (d) => (d.relationships[0].relatedSpdxElement = 'NOASSERTION'),
      '$.relationships[0].relatedSpdxElement',
    ],
    [
      'DESCRIBES an external document',
      (d) => (d.relationships[0].relatedSpdxElement = 'DocumentRef-x:SPDXRef-Image'),
      '$.relationships[0].relatedSpdxElement',
    ],
    [
      'described package not a CONTAINER',
      (d) => (d.packages[0].primaryPackagePurpose = 'APPLICATION'),
      '$.packages[0].primaryPackagePurpose',
    ],
    [
      'wrong CONTAINER checksum',
      (d) => (d.packages[0].checksums[0].checksumValue = DEB_SHA),
      '$.packages[0].checksums[0].checksumValue',
    ],
    [
      'CONTAINER without SHA256',
      (d) => (d.packages[0].checksums = [{ algorithm: 'SHA1', checksumValue: 'a'.repeat(40) }]),
      '$.packages[0].checksums',
    ],
    [
      'filesAnalyzed without verification code',
      (d) => delete d.packages[1].filesAnalyzed,
      '$.packages[1].packageVerificationCode',
    ],
    [
      'bad licence expression',
      (d) => (d.packages[2].licenseDeclared = 'GPL-2.0-only OR'),
      '$.packages[2].licenseDeclared',
    ],
    [
      'lowercase operator',
      (d) => (d.packages[2].licenseDeclared = 'MIT or GPL-2.0-only'),
      '$.packages[2].licenseDeclared',
    ],
    [
      'undeclared LicenseRef',
      (d) => (d.packages[2].licenseConcluded = 'LicenseRef-busybox'),
      '$.packages[2].licenseConcluded',
    ],
    [
      'malformed extracted licence id',
      (d) => (d.hasExtractedLicensingInfos[0].licenseId = 'hello-extra'),
      '$.hasExtractedLicensingInfos[0].licenseId',
    ],
    [
      'short SHA256',
      (d) => (d.packages[2].checksums[0].checksumValue = DEB_SHA.slice(2)),
      '$.packages[2].checksums[0].checksumValue',
    ],
    [
      'uppercase SHA256',
      (d) => (d.packages[2].checksums[0].checksumValue = DEB_SHA.toUpperCase()),
      '$.packages[2].checksums[0].checksumValue',
    ],
    [
      'created with fractions',
      (d) => (d.creationInfo.created = '1970-01-01T00:00:00.000Z'),
      '$.creationInfo.created',
    ],
    [
      'created with an offset',
      (d) => (d.creationInfo.created = '1970-01-01T00:00:00+00:00'),
      '$.creationInfo.created',
    ],
    [
      'bad purl',
      (d) => (d.packages[2].externalRefs[0].referenceLocator = 'deb/debian/busybox@1.35'),
      '$.packages[2].externalRefs[0].referenceLocator',
    ],
    [
      'purl with a bad escape',
      (d) => (d.packages[2].externalRefs[0].referenceLocator = 'pkg:deb/debian/busybox@1%3'),
      '$.packages[2].externalRefs[0].referenceLocator',
    ],
    [
      'Debian package without purl',
      (d) => delete d.packages[2].externalRefs,
      '$.packages[2].externalRefs',
    ],
    [
      'two OPERATING_SYSTEM packages',
      (d) => (d.packages[2].primaryPackagePurpose = 'OPERATING_SYSTEM'),
      '$.packages[2].primaryPackagePurpose',
    ],
  ])('%s → SBOM_INVALID', (_name, edit, path) => {
    const problems = check(edit);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems).toContainEqual(['SBOM_INVALID', path]);
    expect(problems.every(([code]) => code === 'SBOM_INVALID')).toBe(true);
  });

  it('accepts external references, NONE and NOASSERTION', () => {
    expect(
      check((d) => {
        d.relationships.push({
          spdxElementId: 'SPDXRef-Image',
          relationshipType: 'DEPENDS_ON',
          relatedSpdxElement: 'DocumentRef-base:SPDXRef-Image',
        });
        d.relationships.push({
          spdxElementId: 'SPDXRef-OperatingSystem',
          relationshipType: 'DEPENDS_ON',
          relatedSpdxElement: 'NONE',
        });
        d.packages[2].licenseDeclared =
          '(GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT) AND Apache-2.0+';
        d.packages[0].licenseConcluded = 'NONE';
      }),
    ).toEqual([]);
  });

  it('uses the path prefix for an SBOM inside a statement', () => {
    const doc = sbom();
    delete doc.documentNamespace;
    expect(checkSbom(doc, { path: '$.predicate' }).map((p) => p.path)).toEqual([
      '$.predicate.documentNamespace',
    ]);
  });

  it('ships the schema unchanged', () => {
    const file = new URL('../../../../../shared/schemas/spdx-2.3.schema.json', import.meta.url);
    if (!existsSync(file)) return;
    expect(SPDX_2_3_SCHEMA).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });

  it('ships the validator generated from the schema now', async () => {
    const script = new URL('../../../../scripts/generate-spdx-validator.js', import.meta.url);
    const { generateSpdxValidator, GENERATED_FILE } = (await import(script.href)) as {
      generateSpdxValidator: (schema: unknown) => Promise<string>;
      GENERATED_FILE: string;
    };
    const committed = readFileSync(GENERATED_FILE, 'utf8');
    // stale: run `pnpm build && node scripts/generate-spdx-validator.js`
    expect(await generateSpdxValidator(SPDX_2_3_SCHEMA)).toBe(committed);
  });
});

describe('parseLicenseExpression', () => {
  it.each([
    'MIT',
    'GPL-2.0+',
    'LicenseRef-x',
    'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2',
    'MIT OR Apache-2.0 AND BSD-3-Clause',
    '(MIT OR Apache-2.0) AND (BSD-2-Clause WITH foo-exception)',
    'GPL-2.0-only WITH Linux-syscall-note',
  ])('accepts %j', (text) => {
    expect(parseLicenseExpression(text).ok).toBe(true);
  });

  it.each([
    '',
    'MIT OR',
    'AND MIT',
    '(MIT',
    'MIT)',
    'MIT WITH',
    'MIT WITH (X)',
    'MIT/BSD',
    'MIT and BSD',
    'LicenseRef-',
    'LicenseRef-a+',
    'NONE OR MIT',
    '(MIT) WITH X',
    'a:b',
  ])('rejects %j', (text) => {
    expect(parseLicenseExpression(text).ok).toBe(false);
  });

  it('binds AND tighter than OR and lists local LicenseRefs', () => {
    const r = parseLicenseExpression('LicenseRef-a OR LicenseRef-b AND DocumentRef-d:LicenseRef-c');
    expect(r.ok && r.expression.kind).toBe('or');
    expect(r.ok && localLicenseRefs(r.expression)).toEqual(['LicenseRef-a', 'LicenseRef-b']);
  });
});

describe('parsePurl', () => {
  it('parses the purls of 02 §5', () => {
    expect(
      parsePurl('pkg:deb/debian/busybox@1%3A1.35.0-4%2Bb3?arch=amd64&distro=debian-12'),
    ).toEqual({
      ok: true,
      purl: {
        type: 'deb',
        namespace: 'debian',
        name: 'busybox',
        version: '1:1.35.0-4+b3',
        qualifiers: { arch: 'amd64', distro: 'debian-12' },
      },
    });
    const generic = parsePurl(
      `pkg:generic/tool@1.0?checksum=sha256:${DIGEST}&download_url=https://example.org/t.tgz`,
    );
    expect(generic.ok && generic.purl.qualifiers.download_url).toBe('https://example.org/t.tgz');
    expect(parsePurl('pkg:composer/vendor/name@1.2.3#src/lib').ok).toBe(true);
  });

  it.each([
    'deb/debian/x',
    'pkg:',
    'pkg:deb',
    'pkg:deb/',
    'pkg:1deb/x',
    'pkg:deb/x@',
    'pkg:deb/x?arch',
    'pkg:deb/x?arch=',
    'pkg:deb/x?a=1&a=2',
    'pkg:deb/x y',
    'pkg:deb/x%zz',
  ])('rejects %j', (text) => {
    expect(parsePurl(text).ok).toBe(false);
  });
});

// SPDX-License-Identifier: Apache-2.0
// The SBOM and provenance are edited as plain JSON by each case, so they are typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return */
import { describe, expect, it } from 'vitest';
import { checkSbom } from '../attestation/sbom.js';
import { sha256Hex } from '../crypto/index.js';
import type { InstalledPackage } from '../image/index.js';
import { checkDependencyProvenance } from './check-dependency-provenance.js';
import type {
  ArtifactInput,
  BaseImageInput,
  ComposerPackageInput,
  ForeignBaseInput,
} from './inputs.js';
import { generateProvenance } from './slsa-provenance.js';
import { generateSbom } from './spdx-sbom.js';

const DIGEST = 'dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';
const BASE: BaseImageInput = { ref: 'cerro-torre/debian:bookworm', manifestDigest: 'b'.repeat(64) };

function installed(name: string, version: string, depends = ''): InstalledPackage {
  const filename = `pool/main/${name.charAt(0)}/${name}/${name}_${version}_amd64.deb`;
  return {
    name,
    version,
    architecture: 'amd64',
    sha256: sha256Hex(`${name} ${version}`),
    size: 1,
    source: name,
    sourceVersion: version,
    pocket: 'bookworm',
    filename,
    requested: true,
    maintainer: 'Debian Maintainers <maint@lists.debian.org>',
    depends,
    preDepends: '',
    provides: '',
    license: 'GPL-2.0-or-later',
    extractedLicenses: [],
    downloadLocation: `http://deb.debian.org/debian/${filename}`,
  };
}

interface Facts {
  debianPackages: InstalledPackage[];
  external: ArtifactInput[];
  fetches: ArtifactInput[];
  composer: ComposerPackageInput[];
  base?: BaseImageInput;
  foreignBase?: ForeignBaseInput;
}

function facts(): Facts {
  return {
    debianPackages: [installed('busybox', '1:1.35.0-4+b3', 'libc6'), installed('libc6', '2.36-9')],
    external: [
      {
        name: 'wp-cli',
        version: '2.9.0',
        url: 'https://e.org/wp-cli.phar',
        sha256: 'c'.repeat(64),
      },
    ],
    fetches: [{ name: 'a.tgz', url: 'https://e.org/a.tgz?v=1', sha256: 'd'.repeat(64) }],
    composer: [
      { name: 'acme/lib', version: '1.0.0', treeDigest: 'e'.repeat(64), license: ['MIT'] },
    ],
    base: BASE,
  };
}

/** The SBOM and provenance of one build, as parsed JSON. */
function pair(f: Facts = facts()): { sbom: any; provenance: any } {
  const sbom = generateSbom({
    name: 'hello',
    version: '1.0.0',
    imageDigestHex: DIGEST,
    builderVersion: '0.1.0',
    sourceDateEpoch: 0,
    osRelease: { id: 'debian', versionId: '12' },
    debianPackages: f.debianPackages,
    external: f.external,
    fetches: f.fetches,
    composer: f.composer,
    ...(f.foreignBase !== undefined ? { foreignBase: f.foreignBase } : {}),
  });
  const provenance = generateProvenance({
    manifest: { path: 'hello.ctp', sha256: '1'.repeat(64) },
    lock: { path: 'hello.lock.json', sha256: '2'.repeat(64) },
    sourceDateEpoch: 0,
    frozen: true,
    declared: {},
    builderVersion: '0.1.0',
    nodeVersion: '20.19.0',
    mirrors: {
      debian: 'http://deb.debian.org/debian',
      debianSecurity: 'http://deb.debian.org/debian-security',
    },
    hermetic: true,
    cached: false,
    osVersionId: '12',
    debianPackages: f.debianPackages,
    external: f.external,
    fetches: f.fetches,
    composer: f.composer,
    ...(f.base !== undefined ? { base: f.base } : {}),
    invocationId: '7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11',
    startedOn: '2026-11-25T10:00:00Z',
    finishedOn: '2026-11-25T10:00:04Z',
  });
  return JSON.parse(JSON.stringify({ sbom, provenance }));
}

function indexOf(sbom: any, id: string): number {
  return sbom.packages.findIndex((p: any) => p.SPDXID === id);
}

function deps(provenance: any): any[] {
  return provenance.buildDefinition.resolvedDependencies;
}

describe('checkDependencyProvenance (04 §6.4)', () => {
  it('passes for a generated pair, with and without the base given', () => {
    const { sbom, provenance } = pair();
    expect(checkSbom(sbom, { subjectDigestHex: DIGEST })).toEqual([]);
    expect(checkDependencyProvenance(sbom, provenance)).toEqual([]);
    expect(checkDependencyProvenance(sbom, provenance, { base: BASE })).toEqual([]);
  });

  it('passes for a foreign base, whose dpkg packages are covered by its digest', () => {
    const foreignBase: ForeignBaseInput = {
      ref: 'registry.example.org/library/debian:bookworm',
      manifestDigest: 'f'.repeat(64),
      dpkgPackages: [{ name: 'base-files', version: '12.4', arch: 'amd64' }],
    };
    const { sbom, provenance } = pair({ ...facts(), foreignBase, base: foreignBase });
    expect(checkSbom(sbom, { subjectDigestHex: DIGEST })).toEqual([]);
    expect(checkDependencyProvenance(sbom, provenance)).toEqual([]);
  });

  it('reports a package missing from the provenance, one problem per package', () => {
    const { sbom, provenance } = pair();
    provenance.buildDefinition.resolvedDependencies = deps(provenance).filter(
      (d) => d.name !== 'busybox' && !String(d.uri).startsWith('pkg:composer/'),
    );
    const problems = checkDependencyProvenance(sbom, provenance, { sbomPath: '$.sbom' });
    expect(problems).toEqual([
      {
        code: 'MISSING_PROVENANCE',
        message: expect.stringContaining('acme/lib 1.0.0'),
        path: `$.sbom.packages[${indexOf(sbom, 'SPDXRef-composer-acme-lib')}]`,
      },
      {
        code: 'MISSING_PROVENANCE',
        message: expect.stringContaining('busybox 1:1.35.0-4+b3'),
        path: `$.sbom.packages[${indexOf(sbom, 'SPDXRef-deb-busybox-amd64')}]`,
      },
    ]);
  });

  it('reports a package whose provenance item has another digest', () => {
    const { sbom, provenance } = pair();
    const item = deps(provenance).find((d) => d.name === 'libc6');
    item.digest.sha256 = '0'.repeat(64);
    expect(checkDependencyProvenance(sbom, provenance)).toEqual([
      expect.objectContaining({
        code: 'MISSING_PROVENANCE',
        path: `$.packages[${indexOf(sbom, 'SPDXRef-deb-libc6-amd64')}]`,
      }),
    ]);
  });

  it('reports an SBOM package without a checksum or a purl', () => {
    const { sbom, provenance } = pair();
    delete sbom.packages[indexOf(sbom, 'SPDXRef-external-wp-cli')].checksums;
    delete sbom.packages[indexOf(sbom, 'SPDXRef-fetch-a.tgz')].externalRefs;
    const problems = checkDependencyProvenance(sbom, provenance);
    expect(problems.map((p) => p.message)).toEqual([
      'package wp-cli 2.9.0 has no SHA256 checksum',
      'package a.tgz has no purl',
    ]);
  });

  it('reports a resolvedDependencies item without digest.sha256', () => {
    const { sbom, provenance } = pair();
    deps(provenance).push({ uri: 'pkg:generic/x', digest: { sha512: 'ab' } });
    const last = deps(provenance).length - 1;
    expect(checkDependencyProvenance(sbom, provenance, { provenancePath: '$.p' })).toEqual([
      {
        code: 'MISSING_PROVENANCE',
        message: `resolvedDependencies[${last}] has no digest.sha256 of 64 lowercase hex`,
        path: `$.p.buildDefinition.resolvedDependencies[${last}].digest.sha256`,
      },
    ]);
  });

  it('reports a base that is missing or has another digest', () => {
    const { sbom, provenance } = pair({ ...facts(), base: undefined });
    expect(checkDependencyProvenance(sbom, provenance, { base: BASE })).toEqual([
      expect.objectContaining({
        code: 'MISSING_PROVENANCE',
        path: '$.buildDefinition.resolvedDependencies',
      }),
    ]);
    const other = pair();
    expect(
      checkDependencyProvenance(other.sbom, other.provenance, {
        base: { ...BASE, manifestDigest: 'a'.repeat(64) },
      }),
    ).toHaveLength(1);
    expect(
      checkDependencyProvenance(other.sbom, other.provenance, {
        base: { ref: 'not a ref', manifestDigest: BASE.manifestDigest },
      }),
    ).toHaveLength(1);
  });

  it('reports a foreign base row without its provenance item', () => {
    const foreignBase: ForeignBaseInput = {
      ref: 'registry.example.org/library/debian:bookworm',
      manifestDigest: 'f'.repeat(64),
      dpkgPackages: [],
    };
    const { sbom, provenance } = pair({ ...facts(), foreignBase, base: undefined });
    expect(checkDependencyProvenance(sbom, provenance)).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('the base image registry.example.org/library/debian'),
        path: `$.packages[${indexOf(sbom, 'SPDXRef-BaseImage')}]`,
      }),
    ]);
  });

  it('treats a provenance without resolvedDependencies as missing every package', () => {
    const { sbom } = pair();
    const contained = sbom.relationships.filter(
      (r: any) => r.spdxElementId === 'SPDXRef-Image' && r.relationshipType === 'CONTAINS',
    ).length;
    // Every contained package except the OPERATING_SYSTEM one.
    expect(checkDependencyProvenance(sbom, {})).toHaveLength(contained - 1);
  });
});

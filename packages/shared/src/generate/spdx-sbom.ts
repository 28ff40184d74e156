// SPDX-License-Identifier: Apache-2.0
// The SPDX 2.3 SBOM of an image (02 §5). Pure: the builder reads the dpkg status, the lock and
// composer's installed.json, and passes the facts in.
import { SPDX_DOCUMENT_ID } from '../attestation/sbom.js';
import type { InstalledPackage } from '../image/index.js';
import { canonicalize } from '../json/index.js';
import { formatRfc3339Utc } from '../time/index.js';
import { dependsOnEdges, type DpkgNode } from './debian-depends.js';
import {
  compareStrings,
  requireEpoch,
  requireSha256Hex,
  type ArtifactInput,
  type BaseDpkgPackage,
  type ComposerPackageInput,
  type ForeignBaseInput,
} from './inputs.js';
import { LicenseRegistry, type ExtractedLicense } from './licenses.js';
import { baseImagePurl, composerPurl, debPurl, genericPurl, imagePurl } from './purls.js';
import { assignSpdxIds, sanitizeIdPart } from './spdx-ids.js';

export const SPDX_IMAGE_ID = 'SPDXRef-Image';
export const SPDX_OPERATING_SYSTEM_ID = 'SPDXRef-OperatingSystem';
export const SPDX_BASE_IMAGE_ID = 'SPDXRef-BaseImage';
/** `documentNamespace` prefix; the namespace is `<prefix><name>/<version>/<digest hex>`. */
export const SPDX_NAMESPACE_PREFIX = 'https://verified-container.org/spdx/';
/** The package comment of composer rows (02 §5). */
export const COMPOSER_CHECKSUM_COMMENT = 'SHA256 is the tree digest of the installed directory';

export interface SpdxChecksum {
  algorithm: 'SHA256';
  checksumValue: string;
}

export interface SpdxExternalRef {
  referenceCategory: 'PACKAGE-MANAGER';
  referenceType: 'purl';
  referenceLocator: string;
}

/** A package row as we write it (members in this order). */
export interface SpdxPackage {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  primaryPackagePurpose?: 'CONTAINER' | 'OPERATING_SYSTEM';
  supplier?: string;
  downloadLocation: string;
  filesAnalyzed: false;
  checksums?: SpdxChecksum[];
  sourceInfo?: string;
  licenseConcluded?: string;
  licenseDeclared?: string;
  copyrightText?: string;
  comment?: string;
  externalRefs?: SpdxExternalRef[];
}

export type SpdxRelationshipType = 'DESCRIBES' | 'CONTAINS' | 'DEPENDS_ON';

export interface SpdxRelationship {
  spdxElementId: string;
  relationshipType: SpdxRelationshipType;
  relatedSpdxElement: string;
}

export type SpdxExtractedLicense = ExtractedLicense;

/** The SPDX 2.3 JSON document of 02 §5. */
export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3';
  dataLicense: 'CC0-1.0';
  SPDXID: typeof SPDX_DOCUMENT_ID;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[] };
  packages: SpdxPackage[];
  relationships: SpdxRelationship[];
  hasExtractedLicensingInfos?: SpdxExtractedLicense[];
}

/** `/etc/os-release` of the final image. */
export interface OsRelease {
  /** `ID` (`debian`). */
  readonly id: string;
  /** `VERSION_ID` (`12`); absent on testing/unstable. */
  readonly versionId?: string;
}

export interface SbomInput {
  /** `[package] name` (OCI repository name). */
  readonly name: string;
  /** `[package] version` (tag). */
  readonly version: string;
  /** Image digest (64 hex, `sha256:` prefix accepted). */
  readonly imageDigestHex: string;
  /** `metadata.maintainer`: `Name <email>` becomes the supplier; free text gives NOASSERTION. */
  readonly maintainer?: string;
  /** `metadata.license`: an SPDX expression, or free text (→ `LicenseRef-…`). */
  readonly license?: string;
  /** cerro-torre version, for `creators`. */
  readonly builderVersion: string;
  /** SOURCE_DATE_EPOCH, seconds: `creationInfo.created`. */
  readonly sourceDateEpoch: number;
  /** Absent when the image has no `/etc/os-release`. */
  readonly osRelease?: OsRelease;
  /**
   * Every `install ok installed` package of the image's dpkg status that has a .deb (installed by
   * this build or by a `cerro-torre/debian` base).
   */
  readonly debianPackages: readonly InstalledPackage[];
  readonly external?: readonly ArtifactInput[];
  readonly fetches?: readonly ArtifactInput[];
  readonly composer?: readonly ComposerPackageInput[];
  /** An `oci:`/registry base; its dpkg packages are listed under `SPDXRef-BaseImage`. */
  readonly foreignBase?: ForeignBaseInput;
}

type RowKind = 'image' | 'os' | 'deb' | 'external' | 'fetch' | 'composer' | 'base' | 'base-deb';

interface Row {
  readonly kind: RowKind;
  readonly baseId: string;
  readonly pkg: Omit<SpdxPackage, 'SPDXID'>;
  readonly node?: Omit<DpkgNode, 'id'>;
}

/**
 * The SPDX 2.3 document of 02 §5 for one image. Deterministic: the same facts (in any order) give
 * the same JCS bytes. The result passes `checkSbom(doc, { subjectDigestHex })`. Malformed digests
 * or an epoch out of range throw `INVALID_ARGUMENT`.
 */
export function generateSbom(input: SbomInput): SpdxDocument {
  const digestHex = requireSha256Hex(input.imageDigestHex, 'image digest');
  const epoch = requireEpoch(input.sourceDateEpoch);
  const licenses = new LicenseRegistry();
  const versionId = input.osRelease?.versionId;

  const rows: Row[] = [imageRow(input, digestHex, licenses)];
  if (input.osRelease !== undefined) rows.push(osRow(input.osRelease));
  for (const pkg of sortedBy(input.debianPackages, debKey)) {
    rows.push(debRow(pkg, versionId, licenses));
  }
  for (const artifact of sortedBy(input.external ?? [], artifactKey)) {
    rows.push(artifactRow('external', artifact, licenses));
  }
  for (const artifact of sortedBy(input.fetches ?? [], artifactKey)) {
    rows.push(artifactRow('fetch', artifact, licenses));
  }
  for (const pkg of sortedBy(input.composer ?? [], (p) => [p.name, p.version, p.treeDigest])) {
    rows.push(composerRow(pkg, licenses));
  }
  const base = input.foreignBase;
  if (base !== undefined) {
    rows.push(baseRow(base));
    for (const pkg of sortedBy(base.dpkgPackages, (p) => [p.name, p.arch, p.version])) {
      rows.push(baseDebRow(pkg, versionId));
    }
  }

  // Rows wanting the same SPDXID are ordered by name and version, then by their whole content.
  const ids = assignSpdxIds(
    rows.map((row) => ({
      base: row.baseId,
      tieKey: `${row.pkg.name}\u0000${row.pkg.versionInfo ?? ''}\u0000${canonicalize(row.pkg)}`,
    })),
  );
  const placed = rows.map((row, i) => ({ row, id: ids[i] ?? row.baseId }));
  const packages = placed
    .map(({ row, id }): SpdxPackage => ({ SPDXID: id, ...row.pkg }))
    .sort((a, b) => compareStrings(a.SPDXID, b.SPDXID));

  const relationships = relationshipsOf(placed);
  const extracted = licenses.extracted();
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: SPDX_DOCUMENT_ID,
    name: `${input.name}-${input.version}`,
    documentNamespace: `${SPDX_NAMESPACE_PREFIX}${input.name}/${input.version}/${digestHex}`,
    creationInfo: {
      created: formatRfc3339Utc(new Date(epoch * 1000)),
      creators: [`Tool: cerro-torre-${input.builderVersion}`],
    },
    packages,
    relationships,
    ...(extracted.length > 0 ? { hasExtractedLicensingInfos: extracted } : {}),
  };
}

const NAME_EMAIL = /^\s*([^<>()\r\n]*?)\s*<([^<>()\s]+)>\s*$/u;

/**
 * `Name <email>` → `[name, email]`; anything else (free text, several people, characters SPDX's
 * agent syntax cannot carry) → undefined.
 */
export function parseNameEmail(text: string): [string, string] | undefined {
  const m = NAME_EMAIL.exec(text);
  if (m === null || m[1] === undefined || m[1] === '' || m[2] === undefined) return undefined;
  return [m[1], m[2]];
}

function supplier(kind: 'Person' | 'Organization', who: string | undefined): string {
  const parsed = who === undefined ? undefined : parseNameEmail(who);
  return parsed === undefined ? 'NOASSERTION' : `${kind}: ${parsed[0]} (${parsed[1]})`;
}

function purlRef(locator: string): SpdxExternalRef[] {
  return [
    { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: locator },
  ];
}

function sha256Checksum(hex: string, what: string): SpdxChecksum[] {
  return [{ algorithm: 'SHA256', checksumValue: requireSha256Hex(hex, what) }];
}

function imageRow(input: SbomInput, digestHex: string, licenses: LicenseRegistry): Row {
  return {
    kind: 'image',
    baseId: SPDX_IMAGE_ID,
    pkg: {
      name: input.name,
      versionInfo: input.version,
      primaryPackagePurpose: 'CONTAINER',
      supplier: supplier('Person', input.maintainer),
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: sha256Checksum(digestHex, 'image digest'),
      licenseDeclared: licenses.normalize(input.license),
      externalRefs: purlRef(imagePurl(input.name, input.version, digestHex)),
    },
  };
}

function osRow(os: OsRelease): Row {
  return {
    kind: 'os',
    baseId: SPDX_OPERATING_SYSTEM_ID,
    pkg: {
      name: os.id,
      ...(os.versionId !== undefined && os.versionId !== '' ? { versionInfo: os.versionId } : {}),
      primaryPackagePurpose: 'OPERATING_SYSTEM',
      supplier: os.id === 'debian' ? 'Organization: Debian' : 'NOASSERTION',
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
    },
  };
}

function debBaseId(name: string, arch: string): string {
  return `SPDXRef-deb-${sanitizeIdPart(name)}-${sanitizeIdPart(arch)}`;
}

function debRow(
  pkg: InstalledPackage,
  versionId: string | undefined,
  licenses: LicenseRegistry,
): Row {
  for (const { id, text } of pkg.extractedLicenses) licenses.declare(id, text);
  return {
    kind: 'deb',
    baseId: debBaseId(pkg.name, pkg.architecture),
    pkg: {
      name: pkg.name,
      versionInfo: pkg.version,
      supplier: supplier('Organization', pkg.maintainer),
      downloadLocation: pkg.downloadLocation === '' ? 'NOASSERTION' : pkg.downloadLocation,
      filesAnalyzed: false,
      checksums: sha256Checksum(pkg.sha256, `sha256 of ${pkg.name}`),
      sourceInfo: `built package from: ${pkg.source} ${pkg.sourceVersion}`,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: licenses.normalize(pkg.license),
      copyrightText: 'NOASSERTION',
      externalRefs: purlRef(debPurl(pkg.name, pkg.version, pkg.architecture, versionId)),
    },
    node: {
      name: pkg.name,
      arch: pkg.architecture,
      depends: pkg.depends,
      preDepends: pkg.preDepends,
      provides: pkg.provides,
    },
  };
}

function artifactRow(
  kind: 'external' | 'fetch',
  artifact: ArtifactInput,
  licenses: LicenseRegistry,
): Row {
  const version = artifact.version === '' ? undefined : artifact.version;
  return {
    kind,
    baseId: `SPDXRef-${kind}-${sanitizeIdPart(artifact.name)}`,
    pkg: {
      name: artifact.name,
      ...(version !== undefined ? { versionInfo: version } : {}),
      downloadLocation: artifact.url,
      filesAnalyzed: false,
      checksums: sha256Checksum(artifact.sha256, `sha256 of ${artifact.name}`),
      licenseDeclared: licenses.normalize(artifact.license),
      externalRefs: purlRef(genericPurl(artifact.name, version, artifact.sha256, artifact.url)),
    },
  };
}

function composerRow(pkg: ComposerPackageInput, licenses: LicenseRegistry): Row {
  return {
    kind: 'composer',
    baseId: `SPDXRef-composer-${sanitizeIdPart(pkg.name)}`,
    pkg: {
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation:
        pkg.distUrl === undefined || pkg.distUrl === '' ? 'NOASSERTION' : pkg.distUrl,
      filesAnalyzed: false,
      checksums: sha256Checksum(pkg.treeDigest, `tree digest of ${pkg.name}`),
      licenseDeclared: licenses.normalizeAny(pkg.license),
      comment: COMPOSER_CHECKSUM_COMMENT,
      externalRefs: purlRef(composerPurl(pkg.name, pkg.version)),
    },
  };
}

function baseRow(base: ForeignBaseInput): Row {
  const hex = requireSha256Hex(base.manifestDigest, 'base manifest digest');
  return {
    kind: 'base',
    baseId: SPDX_BASE_IMAGE_ID,
    pkg: {
      name: base.ref,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      checksums: sha256Checksum(hex, 'base manifest digest'),
      externalRefs: purlRef(baseImagePurl(base.ref, hex)),
    },
  };
}

function baseDebRow(pkg: BaseDpkgPackage, versionId: string | undefined): Row {
  return {
    kind: 'base-deb',
    baseId: debBaseId(pkg.name, pkg.arch),
    pkg: {
      name: pkg.name,
      versionInfo: pkg.version,
      downloadLocation: 'NOASSERTION',
      filesAnalyzed: false,
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: 'NOASSERTION',
      copyrightText: 'NOASSERTION',
      externalRefs: purlRef(debPurl(pkg.name, pkg.version, pkg.arch, versionId)),
    },
    node: { name: pkg.name, arch: pkg.arch, depends: '', preDepends: '', provides: '' },
  };
}

function relationshipsOf(placed: readonly { row: Row; id: string }[]): SpdxRelationship[] {
  const out = new Map<string, SpdxRelationship>();
  const add = (from: string, type: SpdxRelationshipType, to: string) => {
    out.set(`${from}\u0000${type}\u0000${to}`, {
      spdxElementId: from,
      relationshipType: type,
      relatedSpdxElement: to,
    });
  };
  add(SPDX_DOCUMENT_ID, 'DESCRIBES', SPDX_IMAGE_ID);
  const nodes: DpkgNode[] = [];
  for (const { row, id } of placed) {
    switch (row.kind) {
      case 'image':
        break;
      case 'os':
      case 'deb':
      case 'external':
      case 'fetch':
      case 'composer':
        add(SPDX_IMAGE_ID, 'CONTAINS', id);
        break;
      case 'base':
        add(SPDX_IMAGE_ID, 'DEPENDS_ON', id);
        break;
      case 'base-deb':
        add(SPDX_BASE_IMAGE_ID, 'CONTAINS', id);
        break;
    }
    if (row.node !== undefined) nodes.push({ id, ...row.node });
  }
  for (const [from, to] of dependsOnEdges(nodes)) add(from, 'DEPENDS_ON', to);
  return [...out.values()].sort(
    (a, b) =>
      compareStrings(a.spdxElementId, b.spdxElementId) ||
      compareStrings(a.relationshipType, b.relationshipType) ||
      compareStrings(a.relatedSpdxElement, b.relatedSpdxElement),
  );
}

function debKey(pkg: InstalledPackage): string[] {
  return [pkg.name, pkg.architecture, pkg.version, pkg.sha256];
}

function artifactKey(artifact: ArtifactInput): string[] {
  return [artifact.name, artifact.version ?? '', artifact.url, artifact.sha256];
}

/** A copy sorted by a key tuple, so the output does not depend on the input order. */
function sortedBy<T>(items: readonly T[], key: (item: T) => readonly string[]): T[] {
  const keyed = items.map((item) => ({ item, key: key(item) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
      const d = compareStrings(a.key[i] ?? '', b.key[i] ?? '');
      if (d !== 0) return d;
    }
    return compareStrings(canonicalize(a.item), canonicalize(b.item));
  });
  return keyed.map((k) => k.item);
}

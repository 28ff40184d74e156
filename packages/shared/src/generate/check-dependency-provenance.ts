// SPDX-License-Identifier: Apache-2.0
// 04 §6.4: every package of the image has provenance.
import { childPath, isJsonObject } from '../attestation/check-helpers.js';
import { SPDX_DOCUMENT_ID } from '../attestation/sbom.js';
import { sha256HexOf } from '../crypto/index.js';
import { VcError, type Problem } from '../errors.js';
import type { BaseImageInput } from './inputs.js';
import { baseImagePurl } from './purls.js';
import { SPDX_BASE_IMAGE_ID, SPDX_IMAGE_ID } from './spdx-sbom.js';

export const MISSING_PROVENANCE = 'MISSING_PROVENANCE';

export interface CheckDependencyProvenanceOptions {
  /**
   * The base as the image records it (`org.opencontainers.image.base.name`/`.base.digest`); its purl
   * and digest must be a `resolvedDependencies` item. Needed for a `cerro-torre/debian` base, which
   * has no SBOM row; an `SPDXRef-BaseImage` row is checked without it.
   */
  readonly base?: BaseImageInput;
  /** JSONPath of the SBOM document (default `$`). */
  readonly sbomPath?: string;
  /** JSONPath of the provenance predicate (default `$`). */
  readonly provenancePath?: string;
}

type Json = Record<string, unknown>;

/**
 * The rule of 04 §6.4 over an SBOM and a provenance predicate (both as parsed JSON): every package
 * P with `<image> CONTAINS P` other than the OPERATING_SYSTEM one has a SHA256 checksum and a purl,
 * and a `resolvedDependencies` item has `uri` = that purl and `digest.sha256` = that checksum; every
 * item has a `digest.sha256`; a non-scratch base appears with its purl and manifest digest. Packages
 * contained by `SPDXRef-BaseImage` are covered by the base's digest. The image is the document's
 * DESCRIBES target (`SPDXRef-Image`). One `MISSING_PROVENANCE` problem per offending package or
 * item; an empty list means the rule holds.
 */
export function checkDependencyProvenance(
  sbom: unknown,
  provenance: unknown,
  opts: CheckDependencyProvenanceOptions = {},
): Problem[] {
  const sbomPath = opts.sbomPath ?? '$';
  const provPath = opts.provenancePath ?? '$';
  const problems: Problem[] = [];
  const report = (message: string, path: string) =>
    problems.push({ code: MISSING_PROVENANCE, message, path });

  const resolved = new Set<string>();
  const depsPath = childPath(provPath, 'buildDefinition', 'resolvedDependencies');
  const buildDefinition = isJsonObject(provenance) ? provenance.buildDefinition : undefined;
  const deps = isJsonObject(buildDefinition) ? buildDefinition.resolvedDependencies : undefined;
  if (Array.isArray(deps)) {
    deps.forEach((item: unknown, i) => {
      const digest = isJsonObject(item) ? item.digest : undefined;
      const sha = isJsonObject(digest) ? digest.sha256 : undefined;
      const hex = typeof sha === 'string' ? sha256HexOf(sha) : null;
      if (hex === null || sha !== hex) {
        report(
          `resolvedDependencies[${i}] has no digest.sha256 of 64 lowercase hex`,
          childPath(depsPath, i, 'digest', 'sha256'),
        );
        return;
      }
      if (isJsonObject(item) && typeof item.uri === 'string') resolved.add(key(item.uri, hex));
    });
  }
  const has = (uri: string, hex: string) => resolved.has(key(uri, hex));

  const doc = isJsonObject(sbom) ? sbom : {};
  const packages = objects(doc.packages);
  const relationships = objects(doc.relationships);
  const describes = relationships.find(
    ([r]) => r.spdxElementId === SPDX_DOCUMENT_ID && r.relationshipType === 'DESCRIBES',
  );
  const imageId =
    describes !== undefined && typeof describes[0].relatedSpdxElement === 'string'
      ? describes[0].relatedSpdxElement
      : SPDX_IMAGE_ID;
  const contained = new Set(
    relationships.flatMap(([r]) =>
      r.spdxElementId === imageId &&
      r.relationshipType === 'CONTAINS' &&
      typeof r.relatedSpdxElement === 'string'
        ? [r.relatedSpdxElement]
        : [],
    ),
  );

  for (const [pkg, i] of packages) {
    const id = pkg.SPDXID;
    const isBase = id === SPDX_BASE_IMAGE_ID;
    if (typeof id !== 'string' || (!contained.has(id) && !isBase)) continue;
    if (pkg.primaryPackagePurpose === 'OPERATING_SYSTEM') continue;
    const path = childPath(sbomPath, 'packages', i);
    const what = isBase ? `the base image ${describe(pkg)}` : `package ${describe(pkg)}`;
    const sha = sha256Of(pkg);
    const purls = purlsOf(pkg);
    if (sha === undefined) {
      report(`${what} has no SHA256 checksum`, path);
    } else if (purls.length === 0) {
      report(`${what} has no purl`, path);
    } else if (!purls.some((purl) => has(purl, sha))) {
      report(
        `${what} has no resolvedDependencies item with uri ${purls[0] ?? ''} and digest.sha256 ${sha}`,
        path,
      );
    }
  }

  if (opts.base !== undefined) {
    const hex = sha256HexOf(opts.base.manifestDigest);
    const uri = hex === null ? undefined : basePurlOrUndefined(opts.base.ref, hex);
    if (hex === null || uri === undefined || !has(uri, hex)) {
      report(
        `the base image ${opts.base.ref} (${opts.base.manifestDigest}) has no resolvedDependencies item`,
        depsPath,
      );
    }
  }
  return problems;
}

function basePurlOrUndefined(ref: string, hex: string): string | undefined {
  try {
    return baseImagePurl(ref, hex);
  } catch (err) {
    if (err instanceof VcError) return undefined;
    throw err;
  }
}

function key(uri: string, hex: string): string {
  return `${uri}\u0000${hex}`;
}

function objects(value: unknown): [Json, number][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown, i) => (isJsonObject(item) ? [[item, i]] : []));
}

function sha256Of(pkg: Json): string | undefined {
  for (const [c] of objects(pkg.checksums)) {
    if (c.algorithm !== 'SHA256' || typeof c.checksumValue !== 'string') continue;
    const hex = sha256HexOf(c.checksumValue);
    if (hex !== null) return hex;
  }
  return undefined;
}

function purlsOf(pkg: Json): string[] {
  return objects(pkg.externalRefs).flatMap(([ref]) =>
    ref.referenceType === 'purl' && typeof ref.referenceLocator === 'string'
      ? [ref.referenceLocator]
      : [],
  );
}

function describe(pkg: Json): string {
  const name = typeof pkg.name === 'string' ? pkg.name : String(pkg.SPDXID);
  return typeof pkg.versionInfo === 'string' ? `${name} ${pkg.versionInfo}` : name;
}

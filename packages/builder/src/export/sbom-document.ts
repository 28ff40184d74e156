// SPDX-License-Identifier: Apache-2.0
// `cerro-torre sbom` (01 §8): the SPDX document of an image's bundle, without signature checks.
import { VcError, type Problem } from '@verified-container/shared';
import {
  SPDX_PREDICATE_TYPE,
  checkSbom,
  decodeStatement,
  parseBundle,
} from '@verified-container/shared/attestation';

/** The SPDX document found in a bundle, and what `checkSbom` says of it. */
export interface SbomFromBundle {
  /** The SPDX statement's predicate, as decoded (member order kept). */
  readonly document: Record<string, unknown>;
  /** `SPDX-2.3` as the document says. */
  readonly spdxVersion: string;
  /** Length of the document's `packages`. */
  readonly packages: number;
  /** Every SBOM_INVALID problem (02 §5); empty when valid. */
  readonly problems: readonly Problem[];
}

/**
 * The SPDX document of the bundle's first statement with predicate type
 * `https://spdx.dev/Document`, checked (02 §5) against the image digest. A bundle that fails the
 * structure checks → MALFORMED_BUNDLE with every problem; none such statement →
 * MISSING_ATTESTATION. Signatures are not looked at. Pure.
 */
export function sbomFromBundle(
  bundleBytes: Uint8Array,
  imageDigest: string,
  where: string,
): SbomFromBundle {
  const parsed = parseBundle(bundleBytes);
  if (parsed.bundle === undefined) {
    throw new VcError('MALFORMED_BUNDLE', `${where}: ${parsed.errors[0]?.message ?? 'invalid'}`, {
      errors: parsed.errors,
    });
  }
  const broken: Problem[] = [];
  for (const [i, envelope] of parsed.bundle.attestations.entries()) {
    const decoded = decodeStatement(envelope, `$.attestations[${i}]`);
    if (decoded.statement === undefined) {
      broken.push(...decoded.problems);
      continue;
    }
    if (decoded.statement.predicateType !== SPDX_PREDICATE_TYPE) continue;
    const document = decoded.statement.predicate;
    const packages = document['packages'];
    const version = document['spdxVersion'];
    return {
      document,
      spdxVersion: typeof version === 'string' ? version : 'SPDX-?',
      packages: Array.isArray(packages) ? packages.length : 0,
      problems: checkSbom(document, { subjectDigestHex: imageDigest }),
    };
  }
  if (broken.length > 0) {
    // The SPDX statement may be the one that cannot be read: say so rather than "missing".
    throw new VcError(
      'MALFORMED_BUNDLE',
      `${where}: ${broken[0]?.path ?? '$'}: ${broken[0]?.message ?? 'unreadable statement'}`,
      { errors: broken },
    );
  }
  throw new VcError('MISSING_ATTESTATION', `${where} has no SPDX attestation`, {
    hint: `the bundle holds no statement with predicate type ${SPDX_PREDICATE_TYPE}`,
  });
}

/** `SPDX 2.3, 148 packages, valid` (01 §8), or `…, invalid (n problems)`. Pure. */
export function sbomSummary(sbom: Pick<SbomFromBundle, 'spdxVersion' | 'packages' | 'problems'>) {
  const version = sbom.spdxVersion.replace(/^SPDX-/, 'SPDX ');
  const packages = `${sbom.packages} package${sbom.packages === 1 ? '' : 's'}`;
  const n = sbom.problems.length;
  return n === 0
    ? `${version}, ${packages}, valid`
    : `${version}, ${packages}, invalid (${n} problem${n === 1 ? '' : 's'})`;
}

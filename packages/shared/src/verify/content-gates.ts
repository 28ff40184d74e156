// SPDX-License-Identifier: Apache-2.0
import { childPath, isJsonObject } from '../attestation/check-helpers.js';
import { checkSbom } from '../attestation/sbom.js';
import {
  SLSA_PROVENANCE_PREDICATE_TYPE,
  SPDX_PREDICATE_TYPE,
  type Statement,
} from '../attestation/statement.js';
import type { Problem } from '../errors.js';
import { checkDependencyProvenance } from '../generate/check-dependency-provenance.js';
import { CERRO_TORRE_BUILD_TYPE } from '../generate/slsa-provenance.js';
import { checkLicenses } from './licenses.js';
import type { VerifyRequirements } from './types.js';

/** A decoded statement and the JSONPath of its envelope (`$.attestations[1]`). */
export interface LocatedStatement {
  readonly statement: Statement;
  readonly path: string;
}

export interface ContentGateInput {
  readonly statements: readonly LocatedStatement[];
  /** Image digest D as 64 hex; the described CONTAINER package must carry it. */
  readonly imageDigestHex: string | null;
  readonly requirements: VerifyRequirements;
  /** Whether a manifest was given (the provenance gate runs then, or for our build type). */
  readonly hasManifest: boolean;
}

/**
 * Step 10 of 04 §3 without the vulnerability gate: required predicates (`MISSING_ATTESTATION`),
 * SBOM validity (`SBOM_INVALID`, 04 §6.2), licences (`LICENSE_DENIED`, §6.3) and the provenance
 * of every dependency (`MISSING_PROVENANCE`, §6.4), in that order. Every failure is returned.
 */
export function checkContentGates(input: ContentGateInput): Problem[] {
  const { statements, requirements } = input;
  const problems: Problem[] = [];
  const ofType = (type: string) => statements.filter((s) => s.statement.predicateType === type);
  const provenance = ofType(SLSA_PROVENANCE_PREDICATE_TYPE);
  const sboms = ofType(SPDX_PREDICATE_TYPE);
  const required = [SLSA_PROVENANCE_PREDICATE_TYPE];
  if (requirements.requireSbom !== false) required.push(SPDX_PREDICATE_TYPE);
  for (const type of required) {
    if (ofType(type).length === 0) {
      problems.push({
        code: 'MISSING_ATTESTATION',
        path: '$.attestations',
        message: `the bundle has no ${type} attestation`,
      });
    }
  }
  for (const sbom of sboms) {
    problems.push(
      ...checkSbom(sbom.statement.predicate, {
        ...(input.imageDigestHex !== null ? { subjectDigestHex: input.imageDigestHex } : {}),
        path: predicatePath(sbom),
      }),
    );
  }
  if (requirements.licenses !== undefined) {
    for (const sbom of sboms) {
      problems.push(
        ...checkLicenses(sbom.statement.predicate, requirements.licenses, predicatePath(sbom)),
      );
    }
  }
  const firstSbom = sboms[0];
  if (firstSbom !== undefined) {
    for (const prov of provenance) {
      if (!input.hasManifest && !isOurBuildType(prov.statement.predicate)) continue;
      problems.push(
        ...checkDependencyProvenance(firstSbom.statement.predicate, prov.statement.predicate, {
          sbomPath: predicatePath(firstSbom),
          provenancePath: predicatePath(prov),
        }),
      );
    }
  }
  return problems;
}

function predicatePath(s: LocatedStatement): string {
  return childPath(s.path, 'payload', 'predicate');
}

function isOurBuildType(predicate: unknown): boolean {
  const def = isJsonObject(predicate) ? predicate.buildDefinition : undefined;
  return isJsonObject(def) && def.buildType === CERRO_TORRE_BUILD_TYPE;
}

// SPDX-License-Identifier: Apache-2.0
import { isJsonObject } from '../attestation/check-helpers.js';
import { parseBundle } from '../attestation/bundle.js';
import { decodeStatement, SLSA_PROVENANCE_PREDICATE_TYPE } from '../attestation/statement.js';

/**
 * `externalParameters.sourceDateEpoch` of the bundle's first SLSA provenance statement: the
 * epoch `verify --rebuild` rebuilds with (04 §7). Undefined when the bundle does not parse or no
 * provenance records a non-negative integer epoch. Pure.
 */
export function provenanceSourceDateEpoch(bundleBytes: Uint8Array): number | undefined {
  const bundle = parseBundle(bundleBytes).bundle;
  if (bundle === undefined) return undefined;
  for (const [i, envelope] of bundle.attestations.entries()) {
    const statement = decodeStatement(envelope, `$.attestations[${i}]`).statement;
    if (statement?.predicateType !== SLSA_PROVENANCE_PREDICATE_TYPE) continue;
    const def = isJsonObject(statement.predicate) ? statement.predicate.buildDefinition : undefined;
    const ext = isJsonObject(def) ? def.externalParameters : undefined;
    const epoch = isJsonObject(ext) ? ext.sourceDateEpoch : undefined;
    if (typeof epoch === 'number' && Number.isSafeInteger(epoch) && epoch >= 0) return epoch;
  }
  return undefined;
}

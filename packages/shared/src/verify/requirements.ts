// SPDX-License-Identifier: Apache-2.0
import type { Manifest } from '../manifest/schema.js';
import type { VerifyRequirements } from './types.js';

/**
 * The verification requirements a manifest supplies (04 §2, §6): log quorum inputs, the keyholder
 * requirement (absent when neither `[verification.required-signatures].minimum` nor
 * `[attestations.signing].threshold` is set), `require-sbom` and the licence lists.
 */
export function requirementsFromManifest(manifest: Manifest): VerifyRequirements {
  const v = manifest.verification;
  const signing = manifest.attestations.signing;
  const agreement = manifest.attestations.transparency.thresholdAgreement;
  const minimum = v.requiredSignatures.minimum ?? signing.threshold?.k;
  return {
    minimumLogs: v.transparencyLogs.minimumLogs,
    ...(v.transparencyLogs.requireConsensus && agreement !== undefined
      ? { consensusLogs: agreement.k }
      : {}),
    ...(minimum !== undefined
      ? { keyholders: { minimum, owners: [...v.requiredSignatures.allowedKeyholders] } }
      : {}),
    requireSbom: v.sbomRequirements.requireSbom,
    licenses: {
      allowed: [...v.sbomRequirements.allowedLicenses],
      denied: [...v.sbomRequirements.denyLicenses],
    },
    scanBeforeDeployment: v.vulnerabilityScanning.scanBeforeDeployment,
    vulnerabilityPolicy: {
      maxSeverity: v.vulnerabilityScanning.maxSeverity,
      ignore: [...v.vulnerabilityScanning.ignoreVulnerabilities],
      ignoreUnfixed: v.vulnerabilityScanning.ignoreUnfixed,
    },
  };
}

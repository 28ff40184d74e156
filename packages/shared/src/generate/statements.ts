// SPDX-License-Identifier: Apache-2.0
// The statements of a build, in bundle order (02 §4).
import {
  FILE_INTEGRITY_PREDICATE_TYPE,
  makeStatement,
  SLSA_PROVENANCE_PREDICATE_TYPE,
  SPDX_PREDICATE_TYPE,
  VULNERABILITY_SCAN_PREDICATE_TYPE,
  type Statement,
} from '../attestation/statement.js';
import type { FileIntegrityPredicate } from './file-integrity.js';
import type { SlsaProvenance } from './slsa-provenance.js';
import type { SpdxDocument } from './spdx-sbom.js';

/** The vulnerability-scan predicate of 02 §4. */
export interface VulnerabilityScanPredicate {
  database: { sha256: string; format: 'debsecan-1' };
  scannedOn: string;
  findings: {
    id: string;
    package: string;
    version: string;
    severity: string;
    fixedVersion: string;
  }[];
}

export interface BuildStatementsInput {
  readonly name: string;
  readonly version: string;
  /** Image digest (64 hex, `sha256:` prefix accepted). */
  readonly imageDigestHex: string;
  readonly provenance: SlsaProvenance;
  readonly sbom: SpdxDocument;
  readonly fileIntegrity: FileIntegrityPredicate;
  readonly vulnerabilityScan?: VulnerabilityScanPredicate;
}

/**
 * One statement per predicate, subject `<name>:<version>` with the image digest, in bundle order:
 * provenance, SBOM, file integrity, then the vulnerability scan when there is one.
 */
export function buildStatements(input: BuildStatementsInput): Statement<object>[] {
  const subject = `${input.name}:${input.version}`;
  const make = (type: string, predicate: object) =>
    makeStatement(subject, input.imageDigestHex, type, predicate);
  const statements: Statement<object>[] = [
    make(SLSA_PROVENANCE_PREDICATE_TYPE, input.provenance),
    make(SPDX_PREDICATE_TYPE, input.sbom),
    make(FILE_INTEGRITY_PREDICATE_TYPE, input.fileIntegrity),
  ];
  if (input.vulnerabilityScan !== undefined) {
    statements.push(make(VULNERABILITY_SCAN_PREDICATE_TYPE, input.vulnerabilityScan));
  }
  return statements;
}

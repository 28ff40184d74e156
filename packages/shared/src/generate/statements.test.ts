// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { checkStatement } from '../attestation/statement.js';
import { generateFileIntegrity } from './file-integrity.js';
import { generateProvenance } from './slsa-provenance.js';
import { generateSbom } from './spdx-sbom.js';
import { buildStatements, type VulnerabilityScanPredicate } from './statements.js';

const DIGEST = 'dafe0718a5296ebf7c78430232e3b2e36883948fbc94d428ad22c1fd584d2ee9';

function predicates() {
  return {
    provenance: generateProvenance({
      manifest: { path: 'hello.ctp', sha256: '1'.repeat(64) },
      lock: { path: 'hello.lock.json', sha256: '2'.repeat(64) },
      sourceDateEpoch: 0,
      frozen: false,
      declared: {},
      builderVersion: '0.1.0',
      nodeVersion: '20.19.0',
      mirrors: { debian: 'http://m/debian', debianSecurity: 'http://m/debian-security' },
      hermetic: true,
      cached: false,
      debianPackages: [],
      invocationId: '7d0c3a52-3b9e-4f1e-9a57-0c2f7a3e1b11',
      startedOn: '2026-11-25T10:00:00Z',
      finishedOn: '2026-11-25T10:00:04Z',
    }),
    sbom: generateSbom({
      name: 'hello',
      version: '1.0.0',
      imageDigestHex: DIGEST,
      builderVersion: '0.1.0',
      sourceDateEpoch: 0,
      debianPackages: [],
    }),
    fileIntegrity: generateFileIntegrity([]),
  };
}

const SCAN: VulnerabilityScanPredicate = {
  database: { sha256: '3'.repeat(64), format: 'debsecan-1' },
  scannedOn: '2026-11-25T10:00:05Z',
  findings: [],
};

describe('buildStatements (02 §4)', () => {
  it('makes one statement per predicate in bundle order, each with the one subject', () => {
    const p = predicates();
    const statements = buildStatements({
      name: 'hello',
      version: '1.0.0',
      imageDigestHex: `sha256:${DIGEST}`,
      ...p,
      vulnerabilityScan: SCAN,
    });
    expect(statements.map((s) => s.predicateType)).toEqual([
      'https://slsa.dev/provenance/v1',
      'https://spdx.dev/Document',
      'https://verified-container.org/attestation/file-integrity/v1',
      'https://verified-container.org/attestation/vulnerability-scan/v1',
    ]);
    for (const statement of statements) {
      expect(statement._type).toBe('https://in-toto.io/Statement/v1');
      expect(statement.subject).toEqual([{ name: 'hello:1.0.0', digest: { sha256: DIGEST } }]);
      expect(checkStatement(statement, '$')).toEqual([]);
    }
    expect(statements.map((s) => s.predicate)).toEqual([
      p.provenance,
      p.sbom,
      p.fileIntegrity,
      SCAN,
    ]);
  });

  it('leaves out the scan when there is none', () => {
    const statements = buildStatements({
      name: 'hello',
      version: '1.0.0',
      imageDigestHex: DIGEST,
      ...predicates(),
    });
    expect(statements).toHaveLength(3);
  });
});

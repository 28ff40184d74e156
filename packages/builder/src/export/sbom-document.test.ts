// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_MEDIA_TYPE,
  SLSA_PROVENANCE_PREDICATE_TYPE,
  SPDX_PREDICATE_TYPE,
  makeStatement,
} from '@verified-container/shared/attestation';
import { canonicalBytes } from '@verified-container/shared/json';
import { sbomFromBundle, sbomSummary } from './sbom-document.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;

function bundleOf(...statements: object[]): Uint8Array {
  const bundle = {
    mediaType: BUNDLE_MEDIA_TYPE,
    version: '0.1.0',
    attestations: statements.map((s) => ({
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(canonicalBytes(s)).toString('base64'),
      signatures: [],
    })),
    logEntries: [],
  };
  return Buffer.from(`${JSON.stringify(bundle, null, 2)}\n`);
}

const doc = { spdxVersion: 'SPDX-2.3', name: 'hello', packages: [{ name: 'a' }, { name: 'b' }] };

describe('sbomFromBundle', () => {
  it('takes the predicate of the SPDX statement and checks it', () => {
    const bytes = bundleOf(
      makeStatement('hello:1.0.0', DIGEST, SLSA_PROVENANCE_PREDICATE_TYPE, { buildDefinition: {} }),
      makeStatement('hello:1.0.0', DIGEST, SPDX_PREDICATE_TYPE, doc),
    );
    const sbom = sbomFromBundle(bytes, DIGEST, 'bundle.json');
    expect(sbom.document).toEqual(doc);
    expect(sbom.packages).toBe(2);
    expect(sbom.spdxVersion).toBe('SPDX-2.3');
    // A made-up document misses most of what SPDX 2.3 requires.
    expect(sbom.problems.length).toBeGreaterThan(0);
    expect(sbom.problems.every((p) => p.code === 'SBOM_INVALID')).toBe(true);
  });

  it('is MISSING_ATTESTATION without an SPDX statement, MALFORMED_BUNDLE for a broken bundle', () => {
    const provenance = bundleOf(
      makeStatement('hello:1.0.0', DIGEST, SLSA_PROVENANCE_PREDICATE_TYPE, {}),
    );
    expect(() => sbomFromBundle(provenance, DIGEST, 'b')).toThrow(
      expect.objectContaining({ code: 'MISSING_ATTESTATION' }),
    );
    expect(() => sbomFromBundle(Buffer.from('{"mediaType":"x"}'), DIGEST, 'b')).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});

describe('sbomSummary', () => {
  it('is the one line of 01 §8', () => {
    expect(sbomSummary({ spdxVersion: 'SPDX-2.3', packages: 148, problems: [] })).toBe(
      'SPDX 2.3, 148 packages, valid',
    );
    expect(
      sbomSummary({
        spdxVersion: 'SPDX-2.3',
        packages: 1,
        problems: [{ code: 'SBOM_INVALID', message: 'x' }],
      }),
    ).toBe('SPDX 2.3, 1 package, invalid (1 problem)');
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { Problem } from '@verified-container/shared';
import type { VerifyResult } from '@verified-container/shared/verify';
import {
  checksOf,
  decisionLine,
  headerLine,
  renderCheckList,
  type CheckListContext,
} from './check-list.js';

const D = `sha256:4c1f${'0'.repeat(56)}e9a0`;

function result(fields: Partial<VerifyResult> = {}, details: object = {}): VerifyResult {
  const errors = fields.errors ?? [];
  return {
    decision: errors.length === 0 ? 'ALLOW' : 'REJECT',
    ...(errors[0] !== undefined ? { errorCode: errors[0].code, message: errors[0].message } : {}),
    errors,
    attestationsVerified: 3,
    logEntriesVerified: 6,
    thresholdsMet: ['release-signers'],
    imageDigest: D,
    warnings: [],
    ...fields,
    details: {
      quorum: 2,
      groups: ['release-signers'],
      trustStoreDigest: `sha256:${'1'.repeat(64)}`,
      bundleDigest: `sha256:${'2'.repeat(64)}`,
      countedKeyIds: [],
      keysValidUntil: null,
      signers: ['maintainer-1', 'maintainer-2'],
      attestationCount: 3,
      verifiedLogIds: ['local-file-log', 'cerro-torre-log'],
      sbom: { packages: 148, purlTypes: { deb: 148, generic: 1, composer: 3 } },
      attestations: [],
      findings: [],
      ...details,
    },
  };
}

/** Without a manifest's signing threshold, the vulnerability gate or licence lists. */
const BASE: CheckListContext = {
  groups: [{ name: 'release-signers', k: 2, n: 3 }],
  logCount: 2,
  manifestGiven: true,
  licenseLists: false,
  rebuild: { requested: true, rebuiltDigest: D },
};

const CTX: CheckListContext = {
  ...BASE,
  signing: { k: 2, n: 3 },
  licenseLists: true,
  vulnerability: {
    maxSeverity: 'medium',
    db: { name: 'bookworm', digest: `sha256:9e1c${'3'.repeat(56)}abcd` },
  },
};

const problem = (code: string, message = `${code.toLowerCase()} happened`): Problem => ({
  code,
  message,
  path: '$',
});

describe('the check list of 04 §9', () => {
  it('renders the spec example line for line', () => {
    const header = headerLine('php-aegis-wordpress:0.2.0', D, {
      id: 'php-aegis-release',
      serial: 3,
    });
    expect(renderCheckList(header, result(), CTX)).toBe(
      [
        'Verifying php-aegis-wordpress:0.2.0 (sha256:4c1f…e9a0) with trust store php-aegis-release (serial 3)',
        '✓ Attestations bound to the image (3 attestations; manifest matches provenance)',
        '✓ Threshold signatures (2-of-3): maintainer-1, maintainer-2',
        '✓ Transparency log consensus (2-of-2): cerro-torre-log, local-file-log',
        '✓ SBOM present and valid (SPDX 2.3, 148 packages)',
        '✓ Licences allowed by policy',
        '✓ No high/critical vulnerabilities (database bookworm, sha256:9e1c…abcd; 0 findings above medium)',
        '✓ All dependencies have provenance (148 Debian packages, 1 external, 3 composer)',
        '✓ Build reproducible (rebuilt sha256:4c1f…e9a0)',
        'ALLOW',
        '',
      ].join('\n'),
    );
  });

  it('a failure: ✗ with one indented line per error, the decision names the first code', () => {
    const r = result({
      errors: [
        problem('INVALID_SIGNATURE', 'the signature by key sha256:ab does not verify'),
        problem('THRESHOLD_NOT_MET'),
      ],
    });
    const text = renderCheckList('H', r, CTX);
    expect(text).toContain(
      '✗ Threshold signatures (2-of-3)\n  INVALID_SIGNATURE: the signature by key sha256:ab does not verify\n  THRESHOLD_NOT_MET: threshold_not_met happened\n✓ Transparency',
    );
    expect(text.endsWith('REJECT INVALID_SIGNATURE\n')).toBe(true);
    const check = checksOf(r, CTX).find((c) => c.name.startsWith('Threshold'));
    expect(check).toEqual({
      name: 'Threshold signatures (2-of-3)',
      status: 'fail',
      detail: 'the signature by key sha256:ab does not verify',
      codes: ['INVALID_SIGNATURE', 'THRESHOLD_NOT_MET'],
    });
  });

  it('permissive and audit print failures as warnings (!)', () => {
    const r = result({ decision: 'WARN', errors: [problem('LICENSE_DENIED')] });
    const text = renderCheckList('H', r, CTX);
    expect(text).toContain('! Licences allowed by policy\n  LICENSE_DENIED: ');
    expect(text.endsWith('WARN LICENSE_DENIED\n')).toBe(true);
    expect(checksOf(r, CTX).find((c) => c.codes.includes('LICENSE_DENIED'))?.status).toBe('warn');
  });

  it('a stopping step skips the later lines with its code', () => {
    const r = result({ errors: [problem('MALFORMED_BUNDLE')] }, { stoppedAt: 3 });
    const lines = renderCheckList('H', r, { ...CTX, rebuild: { requested: false } }).split('\n');
    expect(lines.slice(1)).toEqual([
      '✗ Attestations bound to the image',
      '  MALFORMED_BUNDLE: malformed_bundle happened',
      '– Threshold signatures (2-of-3): skipped (MALFORMED_BUNDLE)',
      '– Transparency log consensus (2-of-2): skipped (MALFORMED_BUNDLE)',
      '– SBOM present and valid: skipped (MALFORMED_BUNDLE)',
      '– Licences allowed by policy: skipped (MALFORMED_BUNDLE)',
      '– No high/critical vulnerabilities: skipped (MALFORMED_BUNDLE)',
      '– All dependencies have provenance: skipped (MALFORMED_BUNDLE)',
      '– Build reproducible: skipped (use --rebuild)',
      'REJECT MALFORMED_BUNDLE',
      '',
    ]);
  });

  it('no database: the vulnerability line is a warning with the hint; hidden when the gate did not run', () => {
    const r = result({
      warnings: [
        {
          code: 'VULNERABILITY_DB_MISSING',
          path: '$',
          message: 'not checked: no vulnerability database configured',
          hint: 'use --vuln-db FILE or VC_VULN_DB',
        },
      ],
    });
    const ctx = { ...CTX, vulnerability: { maxSeverity: 'high' as const } };
    expect(renderCheckList('H', r, ctx)).toContain(
      '! No critical vulnerabilities: not checked: no vulnerability database configured (use --vuln-db FILE or VC_VULN_DB)\n',
    );
    const names = checksOf(r, { ...BASE, signing: { k: 2, n: 3 } }).map((c) => c.name);
    expect(names).toEqual([
      'Attestations bound to the image',
      'Threshold signatures (2-of-3)',
      'Transparency log consensus (2-of-2)',
      'SBOM present and valid',
      'All dependencies have provenance',
      'Build reproducible',
    ]);
  });

  it('missing predicates go to their lines; without a manifest the groups label the threshold', () => {
    const r = result({
      errors: [
        problem('MISSING_ATTESTATION', 'the bundle has no https://spdx.dev/Document attestation'),
        problem(
          'MISSING_ATTESTATION',
          'the bundle has no https://slsa.dev/provenance/v1 attestation',
        ),
        problem('NOT_REPRODUCIBLE', 'layer 1 differs'),
      ],
    });
    const checks = checksOf(r, {
      ...BASE,
      manifestGiven: false,
      licenseLists: true,
      vulnerability: { maxSeverity: 'medium' },
    });
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['Attestations bound to the image', 'pass'],
      ['Threshold signatures (release-signers 2-of-3)', 'pass'],
      ['Transparency log consensus (2-of-2)', 'pass'],
      ['SBOM present and valid', 'fail'],
      ['Licences allowed by policy', 'pass'],
      ['No high/critical vulnerabilities', 'pass'],
      ['All dependencies have provenance', 'fail'],
      ['Build reproducible', 'fail'],
    ]);
    expect(checks[0]?.detail).toBe('3 attestations');
  });

  it('header and decision lines', () => {
    expect(headerLine('x:1', null, { id: 't', serial: 0 })).toBe(
      'Verifying x:1 (digest unknown) with trust store t (serial 0)',
    );
    expect(decisionLine({ decision: 'LOG', errorCode: 'EXPIRED_KEY' })).toBe('LOG EXPIRED_KEY');
    expect(decisionLine({ decision: 'ALLOW' })).toBe('ALLOW');
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { VerifyResult } from '@verified-container/shared/verify';
import { renderCheckLines, runCheckLines } from './check-lines.js';

function result(fields: Partial<VerifyResult> = {}, stoppedAt?: number): VerifyResult {
  return {
    decision: 'ALLOW',
    errors: [],
    attestationsVerified: 3,
    logEntriesVerified: 6,
    thresholdsMet: ['release-signers'],
    imageDigest: 'sha256:' + 'a'.repeat(64),
    warnings: [],
    details: {
      quorum: 2,
      groups: ['release-signers'],
      trustStoreDigest: 'sha256:' + 'b'.repeat(64),
      bundleDigest: 'sha256:' + 'c'.repeat(64),
      countedKeyIds: [],
      keysValidUntil: null,
      signers: ['maintainer-1', 'maintainer-2'],
      attestationCount: 3,
      verifiedLogIds: ['log-a', 'log-b'],
      sbom: { packages: 149, purlTypes: { deb: 148 } },
      attestations: [],
      findings: [],
      ...(stoppedAt !== undefined ? { stoppedAt } : {}),
    },
    ...fields,
  };
}

const CTX = { threshold: '2-of-3', logCount: 2, sbomPackages: 148 };

describe('run check lines (05 §4.8 lines 1–3)', () => {
  it('passes with the threshold, signers, log quorum and package count', () => {
    const r = result();
    expect(renderCheckLines(runCheckLines(r, CTX), r)).toBe(
      [
        '✓ Container signature valid (2-of-3: maintainer-1, maintainer-2; logs 2-of-2)',
        '✓ Provenance chain complete',
        '✓ SBOM matches deployed files (148 packages)',
        '',
      ].join('\n'),
    );
  });

  it('a step-9 failure: ✗ with the code line in strict mode, ! under WARN', () => {
    const error = {
      code: 'THRESHOLD_NOT_MET',
      path: '$',
      message:
        "group 'release-signers' requires 2 distinct signatures on every attestation, attestation 0 has 1",
    };
    const strict = result({
      decision: 'REJECT',
      errorCode: error.code,
      message: error.message,
      errors: [error],
    });
    const lines = runCheckLines(strict, CTX);
    expect(lines[0]).toMatchObject({ status: 'fail', codes: ['THRESHOLD_NOT_MET'] });
    expect(renderCheckLines(lines, strict).split('\n').slice(0, 2)).toEqual([
      '✗ Container signature valid',
      `  THRESHOLD_NOT_MET: ${error.message}`,
    ]);
    const warn = { ...strict, decision: 'WARN' as const };
    expect(runCheckLines(warn, CTX)[0]!.status).toBe('warn');
    expect(renderCheckLines(runCheckLines(warn, CTX), warn)).toMatch(
      /^! Container signature valid\n/,
    );
  });

  it('a stopping step skips the content lines; provenance and SBOM failures go to lines 2 and 3', () => {
    const malformed = { code: 'MALFORMED_BUNDLE', path: '$', message: 'layer 0 has the digest …' };
    const stopped = result(
      { decision: 'REJECT', errorCode: 'MALFORMED_BUNDLE', errors: [malformed] },
      5,
    );
    expect(runCheckLines(stopped, CTX).map((l) => [l.status, l.detail])).toEqual([
      ['fail', malformed.message],
      ['skip', 'skipped (MALFORMED_BUNDLE)'],
      ['skip', 'skipped (MALFORMED_BUNDLE)'],
    ]);
    const content = result({
      decision: 'REJECT',
      errorCode: 'MISSING_PROVENANCE',
      errors: [
        { code: 'MISSING_PROVENANCE', path: '$', message: 'zlib1g has no provenance' },
        { code: 'LICENSE_DENIED', path: '$', message: 'app 1.0 GPL-3.0' },
      ],
    });
    expect(runCheckLines(content, CTX).map((l) => l.codes)).toEqual([
      [],
      ['MISSING_PROVENANCE'],
      ['LICENSE_DENIED'],
    ]);
  });

  it('renders colon-style and skipped lines and never writes colour codes', () => {
    const r = result();
    const text = renderCheckLines(
      [
        {
          name: 'Threshold signatures (2-of-3)',
          status: 'pass',
          detail: 'm1, m2',
          codes: [],
          style: 'colon',
        },
        {
          name: 'SELinux policy loaded',
          status: 'skip',
          detail: 'SELinux not enabled on this host',
          codes: [],
        },
      ],
      r,
    );
    expect(text).toBe(
      '✓ Threshold signatures (2-of-3): m1, m2\n– SELinux policy loaded: SELinux not enabled on this host\n',
    );
    expect(text.includes('\u001b')).toBe(false);
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { auditLine, auditRecord, cacheNotAfter, isCacheUsable, verifyCacheKey } from './audit.js';

const base = {
  imageDigest: 'sha256:' + 'a'.repeat(64),
  bundleDigest: 'sha256:' + 'b'.repeat(64),
  trustStoreDigest: 'sha256:' + 'c'.repeat(64),
  manifestDigest: null,
  vulnDbDigest: null,
  mode: 'strict' as const,
  quorum: 2,
  groups: ['release-signers'],
  requireVulnDb: false,
};

describe('audit record and cache (04 §10)', () => {
  it('writes the record as JCS plus LF', () => {
    const record = auditRecord({
      at: new Date('2026-11-25T12:00:00.123Z'),
      tool: 'cerro-torre',
      mode: 'permissive',
      cached: false,
      result: {
        decision: 'WARN',
        errorCode: 'INVALID_SIGNATURE',
        imageDigest: null,
        details: {
          quorum: 2,
          groups: [],
          trustStoreDigest: base.trustStoreDigest,
          bundleDigest: base.bundleDigest,
          countedKeyIds: [],
          keysValidUntil: null,
          signers: [],
          attestationCount: 0,
          verifiedLogIds: [],
          sbom: null,
          attestations: [],
          findings: [],
        },
      },
    });
    expect(auditLine(record)).toBe(
      `{"bundleDigest":"${base.bundleDigest}","cached":false,"decision":"WARN","errorCode":"INVALID_SIGNATURE","imageDigest":null,"mode":"permissive","timestamp":"2026-11-25T12:00:00Z","tool":"cerro-torre","trustStoreDigest":"${base.trustStoreDigest}"}\n`,
    );
  });
  it('changes the cache key with the trust store, mode or groups', () => {
    const k = verifyCacheKey(base);
    expect(k).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyCacheKey({ ...base, trustStoreDigest: 'sha256:' + 'd'.repeat(64) })).not.toBe(k);
    expect(verifyCacheKey({ ...base, mode: 'audit' })).not.toBe(k);
    expect(verifyCacheKey({ ...base, groups: [] })).not.toBe(k);
    expect(verifyCacheKey({ ...base })).toBe(k);
  });
  it('expires a cached result after 1 h or when a counted key stops being valid', () => {
    const created = new Date('2026-11-25T12:00:00Z');
    expect(cacheNotAfter(created, null).toISOString()).toBe('2026-11-25T13:00:00.000Z');
    const until = Date.parse('2026-11-25T12:10:00Z');
    const notAfter = cacheNotAfter(created, until);
    expect(notAfter.toISOString()).toBe('2026-11-25T12:10:00.000Z');
    const flags = { explicitNow: false, rebuild: false, noCache: false };
    expect(isCacheUsable(notAfter, new Date('2026-11-25T12:05:00Z'), flags)).toBe(true);
    expect(isCacheUsable(notAfter, new Date('2026-11-25T12:10:00Z'), flags)).toBe(false);
    expect(isCacheUsable(notAfter, created, { ...flags, explicitNow: true })).toBe(false);
  });
});

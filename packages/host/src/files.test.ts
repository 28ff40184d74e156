// SPDX-License-Identifier: Apache-2.0
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord, VerifyResult } from '@verified-container/shared/verify';
import { writeFileAtomic } from './atomic-file.js';
import { appendAuditRecord } from './audit-log.js';
import { readCachedResult, writeCachedResult } from './verify-result-cache.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vc-host-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('replaces the file whole with the mode asked for, leaving no temp file', async () => {
    const path = join(dir, 'a.json');
    await writeFileAtomic(path, 'one\n');
    await writeFileAtomic(path, 'two\n', { mode: 0o600 });
    expect(readFileSync(path, 'utf8')).toBe('two\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('never replaces a file when exclusive: FILE_EXISTS', async () => {
    const path = join(dir, 'a.json');
    await writeFileAtomic(path, 'one\n');
    await expect(writeFileAtomic(path, 'two\n', { exclusive: true })).rejects.toMatchObject({
      code: 'FILE_EXISTS',
    });
    expect(readFileSync(path, 'utf8')).toBe('one\n');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('fails with WRITE_FAILED naming the path', async () => {
    const path = join(dir, 'missing', 'a.json');
    await expect(writeFileAtomic(path, 'x')).rejects.toMatchObject({
      code: 'WRITE_FAILED',
      message: expect.stringContaining(path),
    });
  });
});

const RECORD: AuditRecord = {
  timestamp: '2026-01-01T00:00:00Z',
  tool: 'vordr',
  imageDigest: null,
  bundleDigest: null,
  trustStoreDigest: `sha256:${'0'.repeat(64)}`,
  mode: 'strict',
  decision: 'ALLOW',
  errorCode: null,
  cached: false,
};

describe('appendAuditRecord', () => {
  it('appends one canonical line per record to a 0600 file in a new directory', async () => {
    const path = join(dir, 'audit', 'verify.jsonl');
    await appendAuditRecord(path, RECORD);
    await appendAuditRecord(path, { ...RECORD, cached: true });
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as AuditRecord).cached)).toEqual([false, true]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('fails closed with AUDIT_WRITE_FAILED', async () => {
    // A directory in the file's place (root ignores file modes).
    await expect(appendAuditRecord(dir, RECORD)).rejects.toMatchObject({
      code: 'AUDIT_WRITE_FAILED',
    });
  });
});

const RESULT = {
  decision: 'ALLOW',
  errors: [],
  attestationsVerified: 3,
  logEntriesVerified: 6,
  thresholdsMet: ['keyholders'],
  imageDigest: null,
  warnings: [],
  details: { keysValidUntil: null, attestations: [], findings: [] },
} as unknown as VerifyResult;

describe('verify result cache', () => {
  const now = new Date('2026-01-01T00:00:00Z');

  it('returns a stored result until notAfter (now + 1 h at most)', async () => {
    const cache = join(dir, 'cache', 'verify');
    await writeCachedResult(cache, 'k', now, RESULT);
    expect(statSync(join(cache, 'k.json')).mode & 0o777).toBe(0o600);
    expect(await readCachedResult(cache, 'k', new Date(now.getTime() + 59 * 60_000))).toEqual(
      RESULT,
    );
    expect(await readCachedResult(cache, 'k', new Date(now.getTime() + 60 * 60_000))).toBe(
      undefined,
    );
  });

  it('takes a missing or malformed entry as a miss, and ignores a failed write', async () => {
    expect(await readCachedResult(dir, 'none', now)).toBeUndefined();
    await writeFileAtomic(join(dir, 'bad.json'), '{"notAfter": "2099-01-01T00:00:00Z"}');
    expect(await readCachedResult(dir, 'bad', now)).toBeUndefined();
    // An entry of an older vordr, without the envelopes and findings of `details`.
    const old = { ...RESULT, details: { keysValidUntil: null } } as unknown as VerifyResult;
    await writeCachedResult(join(dir, 'old'), 'k', now, old);
    expect(await readCachedResult(join(dir, 'old'), 'k', now)).toBeUndefined();
    await writeFileAtomic(join(dir, 'file'), '');
    await expect(writeCachedResult(join(dir, 'file'), 'k', now, RESULT)).resolves.toBeUndefined();
  });
});

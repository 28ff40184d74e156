// SPDX-License-Identifier: Apache-2.0
import { afterEach, describe, expect, it } from 'vitest';
import type { AttestationBundle } from '@verified-container/shared/attestation';
import {
  SPEC_KEYS,
  WORKED_EXAMPLE_ATTESTATION_DIGESTS,
  workedExampleBundle,
} from '@verified-container/testkit';
import { startFakeLog, type FakeLog, type FakeLogMode } from '../../test/fake-log-server.js';
import { HttpLogClient } from './http-log-client.js';
import {
  agreementError,
  agreementExitCode,
  publishBundle,
  retryDelay,
  type PublishLog,
} from './publish-bundle.js';

const AGREEMENT = { k: 2, text: '2-of-2' };
const noSleep = { sleep: () => Promise.resolve(), random: () => 0.5 };
const started: FakeLog[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((l) => l.close()));
});

function signedBundle(): AttestationBundle {
  return { ...(workedExampleBundle() as unknown as AttestationBundle), logEntries: [] };
}

async function fakeLog(
  name: 'cerro-torre-log' | 'local-file-log',
  mode?: FakeLogMode,
): Promise<{ fake: FakeLog; log: PublishLog }> {
  const fake = await startFakeLog(name, SPEC_KEYS[name], mode);
  started.push(fake);
  return {
    fake,
    log: {
      logId: name,
      publicKey: SPEC_KEYS[name].publicKey,
      display: fake.url,
      client: new HttpLogClient({ url: fake.url }),
    },
  };
}

describe('publishBundle', () => {
  it('submits every attestation to both logs and records verified entries in order', async () => {
    const a = await fakeLog('local-file-log');
    const b = await fakeLog('cerro-torre-log');
    const bundle = signedBundle();
    const out = await publishBundle(bundle, [a.log, b.log], AGREEMENT, noSleep);
    expect(out.published).toBe(true);
    expect(out.failed).toEqual([]);
    expect(out.bundle.logEntries.map((e) => [e.logId, e.logIndex, e.attestationDigest])).toEqual([
      ['cerro-torre-log', expect.any(Number), WORKED_EXAMPLE_ATTESTATION_DIGESTS[0]],
      ['cerro-torre-log', expect.any(Number), WORKED_EXAMPLE_ATTESTATION_DIGESTS[1]],
      ['local-file-log', expect.any(Number), WORKED_EXAMPLE_ATTESTATION_DIGESTS[0]],
      ['local-file-log', expect.any(Number), WORKED_EXAMPLE_ATTESTATION_DIGESTS[1]],
    ]);
    expect(Object.keys(out.bundle.logEntries[0] ?? {})).toEqual([
      'logId',
      'logIndex',
      'integratedTime',
      'inclusionProof',
      'signedEntryTimestamp',
      'attestationDigest',
    ]);
    expect(bundle.logEntries).toEqual([]);
    // Publishing again is idempotent: the logs answer with the same indexes.
    const again = await publishBundle(out.bundle, [a.log, b.log], AGREEMENT, noSleep);
    expect(again.bundle.logEntries.map((e) => e.logIndex)).toEqual(
      out.bundle.logEntries.map((e) => e.logIndex),
    );
    expect(a.fake.size()).toBe(2);
  });

  it('retries an unavailable log with backoff and then succeeds', async () => {
    const a = await fakeLog('local-file-log', { kind: 'unavailable', failures: 3 });
    const b = await fakeLog('cerro-torre-log');
    const waits: number[] = [];
    const out = await publishBundle(signedBundle(), [a.log, b.log], AGREEMENT, {
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    expect(out.published).toBe(true);
    expect(waits).toEqual([0, 0, 0]); // Retry-After: 0 from the fake
  });

  it('one log down: agreement not met, the bundle unchanged, exit 3, a clear error', async () => {
    const b = await fakeLog('cerro-torre-log');
    const down = await fakeLog('local-file-log');
    await down.fake.close();
    started.splice(started.indexOf(down.fake), 1);
    const bundle = signedBundle();
    const out = await publishBundle(bundle, [b.log, down.log], AGREEMENT, noSleep);
    expect(out.published).toBe(false);
    expect(out.bundle).toBe(bundle);
    expect(out.bundle.logEntries).toEqual([]);
    expect(out.failed).toEqual([
      {
        logId: 'local-file-log',
        code: 'LOG_UNAVAILABLE',
        reason: expect.stringMatching(/^unavailable \(cannot reach .*5 attempts\)$/),
      },
    ]);
    expect(agreementExitCode(out)).toBe(3);
    const err = agreementError(out);
    expect(err.code).toBe('PUBLISH_AGREEMENT_NOT_MET');
    expect(err.message).toMatch(
      /^transparency agreement 2-of-2 not reached: cerro-torre-log \(http:\/\/127\.0\.0\.1:\d+\): ok; local-file-log \(http:\/\/127\.0\.0\.1:\d+\): unavailable \(/,
    );
  });

  it('a log whose SET does not verify fails with LOG_PROOF_INVALID (exit 1)', async () => {
    const a = await fakeLog('local-file-log', { kind: 'forged-set' });
    const b = await fakeLog('cerro-torre-log');
    const out = await publishBundle(signedBundle(), [a.log, b.log], AGREEMENT, noSleep);
    expect(out.published).toBe(false);
    expect(out.failed.map((f) => f.code)).toEqual(['LOG_PROOF_INVALID']);
    expect(agreementExitCode(out)).toBe(1);
    // 1-of-2 is still reached with the honest log alone, and only its entries are recorded.
    const one = await publishBundle(
      signedBundle(),
      [a.log, b.log],
      { k: 1, text: '1-of-2' },
      noSleep,
    );
    expect(one.published).toBe(true);
    expect(new Set(one.bundle.logEntries.map((e) => e.logId))).toEqual(
      new Set(['cerro-torre-log']),
    );
  });

  it('an answer signed by another key (wrong trust-store key) is rejected', async () => {
    const a = await fakeLog('local-file-log');
    const wrongKey = { ...a.log, publicKey: SPEC_KEYS['cerro-torre-log'].publicKey };
    const out = await publishBundle(signedBundle(), [wrongKey], { k: 1, text: '1-of-1' }, noSleep);
    expect(out.failed[0]?.reason).toMatch(/signed entry timestamp/);
  });

  it('a log that is never contacted counts as unavailable', async () => {
    const b = await fakeLog('cerro-torre-log');
    const sigstore: PublishLog = {
      logId: 'sigstore-rekor',
      publicKey: SPEC_KEYS['local-file-log'].publicKey,
      display: 'https://rekor.sigstore.dev',
      client: 'unavailable (Rekor is not supported in this version)',
    };
    const out = await publishBundle(signedBundle(), [sigstore, b.log], AGREEMENT, noSleep);
    expect(agreementError(out).message).toBe(
      `transparency agreement 2-of-2 not reached: sigstore-rekor (https://rekor.sigstore.dev): unavailable (Rekor is not supported in this version); cerro-torre-log (${b.fake.url}): ok`,
    );
  });
});

describe('retryDelay', () => {
  it('waits 0.5, 1, 2, 4 s with ±20 % jitter, or Retry-After up to 30 s', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(n, undefined, () => 0.5))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect(retryDelay(1, undefined, () => 0)).toBe(400);
    expect(retryDelay(4, undefined, () => 0.999999)).toBe(4800);
    expect(retryDelay(1, 90_000, () => 0.5)).toBe(30_000);
  });
});

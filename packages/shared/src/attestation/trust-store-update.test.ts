// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { privateKeyFromSeed, publicKeyToBase64, type Ed25519PrivateKey } from '../crypto/index.js';
import { canonicalBytes } from '../json/index.js';
import { addSignature, signEnvelope, type DsseEnvelope } from './dsse.js';
import type { TrustStore, TrustStoreKey } from './trust-store-schema.js';
import { parseTrustStore } from './trust-store.js';
import {
  TRUST_STORE_UPDATE_PAYLOAD_TYPE,
  assertTrustStoreUpdate,
  checkTrustStoreUpdate,
} from './trust-store-update.js';

const key = (seed: number) => privateKeyFromSeed(new Uint8Array(32).fill(seed));
const u1 = key(0x31);
const u2 = key(0x32);
const u3 = key(0x33);
const releaser = key(0x41);
const stranger = key(0x51);
const logKeys = [key(0x61), key(0x62), key(0x63)];
const NOW = new Date('2026-12-01T00:00:00Z');

const entry = (k: Ed25519PrivateKey, owner: string, extra: Partial<TrustStoreKey> = {}) => ({
  id: k.publicKey.keyId,
  algorithm: 'ed25519' as const,
  publicKey: publicKeyToBase64(k.publicKey),
  validFrom: '2026-01-01T00:00:00Z',
  metadata: { owner },
  ...extra,
});

/** A production store whose updates need 2 of the 3 updaters. */
function currentStore(updaterExtra: Partial<TrustStoreKey> = {}): TrustStore {
  const value = {
    version: 1,
    id: 'acme',
    serial: 4,
    updated: '2026-11-01T00:00:00Z',
    keys: {
      releasers: [entry(releaser, 'rel')],
      'trust-store-updaters': [entry(u1, 'u1', updaterExtra), entry(u2, 'u2'), entry(u3, 'u3')],
    },
    thresholds: {
      'release-signers': {
        k: 1,
        n: 1,
        algorithm: 'ed25519-multisig',
        members: [releaser.publicKey.keyId],
      },
      'trust-store-updaters': {
        k: 2,
        n: 3,
        algorithm: 'ed25519-multisig',
        members: [u1, u2, u3].map((k) => k.publicKey.keyId),
      },
    },
    logs: Object.fromEntries(
      logKeys.map((k, i) => [
        `log-${i}`,
        {
          operator: `op-${i}`,
          publicKey: publicKeyToBase64(k.publicKey),
          url: `https://log${i}.example`,
          algorithm: 'ed25519',
        },
      ]),
    ),
  };
  const parsed = parseTrustStore(new TextEncoder().encode(JSON.stringify(value)));
  expect(parsed.errors).toEqual([]);
  return parsed.trustStore as TrustStore;
}

/** The next store: serial 5, a day later, with a new releaser. */
function nextStore(change: (s: Record<string, unknown>) => void = () => undefined) {
  const next: Record<string, unknown> = structuredClone(currentStore());
  next['serial'] = 5;
  next['updated'] = '2026-11-02T00:00:00Z';
  (next['keys'] as Record<string, unknown[]>)['releasers']?.push(entry(stranger, 'new'));
  change(next);
  return next;
}

function envelopeOf(store: object, signers: Ed25519PrivateKey[]): DsseEnvelope {
  const [first, ...rest] = signers;
  let env: DsseEnvelope =
    first === undefined
      ? {
          payloadType: TRUST_STORE_UPDATE_PAYLOAD_TYPE,
          payload: Buffer.from(canonicalBytes(store)).toString('base64'),
          signatures: [],
        }
      : signEnvelope(store, first, TRUST_STORE_UPDATE_PAYLOAD_TYPE);
  for (const k of rest) env = addSignature(env, k);
  return env;
}

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const check = (env: unknown, current = currentStore()) =>
  checkTrustStoreUpdate(current, bytes(env), { now: NOW });

describe('checkTrustStoreUpdate (02 §9)', () => {
  it('accepts a valid update signed by k distinct valid updaters', () => {
    const next = nextStore();
    const r = check(envelopeOf(next, [u1, u3]));
    expect(r).toMatchObject({ accepted: true, serial: 5, required: 2 });
    if (!r.accepted) return;
    expect(new Set(r.signers)).toEqual(new Set([u1.publicKey.keyId, u3.publicKey.keyId]));
    expect(Buffer.from(r.storeBytes).equals(Buffer.from(canonicalBytes(next)))).toBe(true);
    expect(r.store.keys['releasers']).toHaveLength(2);
  });

  it('ignores signatures by unknown keys', () => {
    expect(check(envelopeOf(nextStore(), [stranger, u1, u2])).accepted).toBe(true);
  });

  it('rejects k-1 updater signatures, the same key twice and signatures by other roles', () => {
    const one = check(envelopeOf(nextStore(), [u1, releaser]));
    expect(one).toMatchObject({ accepted: false, reason: 'threshold-not-met' });
    expect(one).toMatchObject({ signers: [u1.publicKey.keyId] });
    const env = envelopeOf(nextStore(), [u1]);
    const sig = env.signatures[0];
    if (sig === undefined) throw new Error('unsigned');
    env.signatures.push({ ...sig });
    expect(check(env)).toMatchObject({ accepted: false, reason: 'threshold-not-met' });
    expect(check(envelopeOf(nextStore(), []))).toMatchObject({ reason: 'threshold-not-met' });
  });

  it('does not count an expired, revoked or not yet valid updater', () => {
    for (const extra of [
      { validUntil: '2026-11-15T00:00:00Z' },
      { revokedAt: '2026-11-15T00:00:00Z' },
      { validFrom: '2026-12-24T00:00:00Z' },
    ]) {
      const r = check(envelopeOf(nextStore(), [u1, u2]), currentStore(extra));
      expect(r).toMatchObject({ accepted: false, reason: 'threshold-not-met' });
      if (!r.accepted) expect(r.message).toContain(u1.publicKey.keyId);
    }
  });

  it('rejects when a signature by a known key fails, even with k good ones', () => {
    const env = envelopeOf(nextStore(), [u1, u2]);
    const bad = envelopeOf({ other: true }, [releaser]).signatures[0];
    if (bad === undefined) throw new Error('unsigned');
    env.signatures.push(bad);
    expect(check(env)).toMatchObject({ accepted: false, reason: 'signature-invalid' });
  });

  it('rejects a serial that is not greater, an updated time that is not later, another id', () => {
    const same = nextStore((s) => (s['serial'] = 4));
    expect(check(envelopeOf(same, [u1, u2]))).toMatchObject({ reason: 'serial-not-greater' });
    const older = nextStore((s) => (s['updated'] = '2026-11-01T00:00:00Z'));
    expect(check(envelopeOf(older, [u1, u2]))).toMatchObject({ reason: 'not-newer' });
    const other = nextStore((s) => (s['id'] = 'evil'));
    expect(check(envelopeOf(other, [u1, u2]))).toMatchObject({ reason: 'id-changed' });
  });

  it('rejects an invalid new store, a wrong payload type and a non-envelope', () => {
    const invalid = nextStore((s) => delete s['logs']);
    expect(check(envelopeOf(invalid, [u1, u2]))).toMatchObject({ reason: 'invalid-store' });
    const twoLogs = nextStore((s) => delete (s['logs'] as Record<string, unknown>)['log-2']);
    expect(check(envelopeOf(twoLogs, [u1, u2]))).toMatchObject({ reason: 'invalid-store' });
    const typed = signEnvelope(nextStore(), u1, 'application/vnd.in-toto+json');
    expect(check(addSignature(typed, u2))).toMatchObject({ reason: 'payload-type' });
    expect(check({ payload: 'x' })).toMatchObject({ reason: 'malformed-envelope' });
    const dup = new TextEncoder().encode('{"payloadType":"a","payloadType":"b"}');
    expect(checkTrustStoreUpdate(currentStore(), dup, { now: NOW })).toMatchObject({
      reason: 'malformed-envelope',
    });
  });

  it('needs one updater when the store has no trust-store-updaters group', () => {
    const current = currentStore();
    delete current.thresholds['trust-store-updaters'];
    expect(check(envelopeOf(nextStore(), [u2]), current)).toMatchObject({
      accepted: true,
      required: 1,
    });
  });

  it('assertTrustStoreUpdate throws TRUST_UPDATE_REJECTED with the reason', () => {
    expect(() =>
      assertTrustStoreUpdate(currentStore(), bytes(envelopeOf(nextStore(), [u1])), { now: NOW }),
    ).toThrow(
      expect.objectContaining({
        code: 'TRUST_UPDATE_REJECTED',
        details: expect.objectContaining({ reason: 'threshold-not-met' }) as unknown,
      }) as Error,
    );
  });
});

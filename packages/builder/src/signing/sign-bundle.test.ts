// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  parseTrustStore,
  serializeBundle,
  type AttestationBundle,
} from '@verified-container/shared/attestation';
import { canonicalBytes } from '@verified-container/shared/json';
import {
  SPEC_KEYS,
  WORKED_EXAMPLE_ATTESTATION_DIGESTS,
  randomKey,
  workedExampleBundle,
} from '@verified-container/testkit';
import { devTrustStore } from './dev-trust-store.js';
import { readBundle, signBundle } from './sign-bundle.js';
import { thresholdStatus } from './threshold-status.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const enc = new TextEncoder();
const m1 = SPEC_KEYS['maintainer-1'];
const m2 = SPEC_KEYS['maintainer-2'];
const bot = SPEC_KEYS['release-bot'];

/** The worked example's bundle with every signature removed and no log entries. */
function unsignedBundle(): Uint8Array {
  const b = workedExampleBundle() as unknown as AttestationBundle;
  return enc.encode(
    serializeBundle({
      ...b,
      attestations: b.attestations.map((e) => ({ ...e, signatures: [] })),
      logEntries: [],
    }),
  );
}

function trustStore() {
  const store = devTrustStore({
    id: 'test-store',
    now: '2026-11-25T00:00:00Z',
    dev: true,
    keyholders: [
      { owner: 'maintainer-1', publicKey: m1.publicKey },
      { owner: 'maintainer-2', publicKey: m2.publicKey },
      { owner: 'release-bot', publicKey: bot.publicKey },
    ],
    group: { name: 'release-signers', k: 2 },
    logs: [
      {
        logId: 'cerro-torre-log',
        operator: 'cerro-torre-log',
        url: 'http://127.0.0.1:1',
        publicKey: SPEC_KEYS['cerro-torre-log'].publicKey,
      },
    ],
    updaters: ['maintainer-1'],
  });
  const parsed = parseTrustStore(canonicalBytes(store), { profile: 'dev' });
  expect(parsed.errors).toEqual([]);
  return store;
}

const KEYHOLDERS = {
  kind: 'keyholders',
  k: 2,
  keyholders: ['maintainer-1', 'maintainer-2', 'release-bot'],
} as const;

describe('signBundle', () => {
  it('signs every envelope with each of the three seed keys, in key order', () => {
    const out = signBundle(unsignedBundle(), [m1, m2, bot]);
    expect(out.changed).toBe(true);
    expect(out.addedBy).toEqual([m1, m2, bot].map((k) => k.publicKey.keyId));
    for (const envelope of out.bundle.attestations) {
      expect(envelope.signatures.map((s) => s.keyid)).toEqual(out.addedBy);
    }
    expect(thresholdStatus(readBundle(out.bytes), trustStore(), KEYHOLDERS, NOW)).toEqual({
      group: 'keyholders',
      required: 2,
      have: 3,
      met: true,
    });
  });

  it('reproduces the worked example signatures byte for byte (Ed25519 is deterministic)', () => {
    const out = signBundle(unsignedBundle(), [m1, m2]);
    const expected = workedExampleBundle().attestations;
    expect(out.bundle.attestations).toEqual(expected);
    expect(readBundle(out.bytes).attestations).toEqual(expected);
  });

  it('counts the same key once, and is idempotent', () => {
    const once = signBundle(unsignedBundle(), [m1, m1]);
    expect(once.bundle.attestations.every((e) => e.signatures.length === 1)).toBe(true);
    const again = signBundle(once.bytes, [m1]);
    expect(again.changed).toBe(false);
    expect(again.bytes).toBe(once.bytes);
    const status = thresholdStatus(once.bundle, trustStore(), KEYHOLDERS, NOW);
    expect(status).toEqual({ group: 'keyholders', required: 2, have: 1, met: false });
  });

  it('meets the threshold only once k distinct keyholders signed every envelope', () => {
    const store = trustStore();
    const one = signBundle(unsignedBundle(), [m2]);
    expect(thresholdStatus(one.bundle, store, KEYHOLDERS, NOW).met).toBe(false);
    expect(thresholdStatus(one.bundle, store, { kind: 'trust-store-groups' }, NOW)).toEqual({
      group: 'release-signers',
      required: 2,
      have: 1,
      met: false,
    });
    const two = signBundle(one.bytes, [bot]);
    expect(thresholdStatus(two.bundle, store, KEYHOLDERS, NOW).have).toBe(2);
    expect(thresholdStatus(two.bundle, store, { kind: 'trust-store-groups' }, NOW).met).toBe(true);
  });

  it('does not count a key the trust store does not know, nor one not yet valid', () => {
    const store = trustStore();
    const out = signBundle(unsignedBundle(), [m1, randomKey()]);
    expect(out.bundle.attestations[0]?.signatures).toHaveLength(2);
    expect(thresholdStatus(out.bundle, store, KEYHOLDERS, NOW).have).toBe(1);
    const before = new Date('2026-11-24T00:00:00Z');
    expect(thresholdStatus(out.bundle, store, KEYHOLDERS, before).have).toBe(0);
  });

  it('does not count a signature over other bytes', () => {
    const out = signBundle(unsignedBundle(), [m1, m2]);
    const [first, second] = out.bundle.attestations;
    if (first === undefined || second === undefined) throw new Error('two envelopes expected');
    const swapped = {
      attestations: [
        { ...first, signatures: [first.signatures[0]!, second.signatures[1]!] },
        second,
      ],
    };
    expect(thresholdStatus(swapped, trustStore(), KEYHOLDERS, NOW).have).toBe(1);
  });

  it('drops the log entries of envelopes whose digest changed, keeping the others', () => {
    const bundle = workedExampleBundle();
    const bytes = enc.encode(`${JSON.stringify(bundle, null, 2)}\n`);
    expect(signBundle(bytes, [m1, m2]).changed).toBe(false);
    const out = signBundle(bytes, [bot]);
    expect(out.droppedLogEntries).toBe(4);
    expect(out.bundle.logEntries).toEqual([]);
    const partial = {
      ...bundle,
      attestations: [
        bundle.attestations[0],
        {
          ...bundle.attestations[1],
          signatures: [
            bundle.attestations[1]!.signatures[0]!,
            { keyid: bot.publicKey.keyId, sig: bundle.attestations[1]!.signatures[0]!.sig },
          ],
        },
      ],
    };
    const p = signBundle(enc.encode(JSON.stringify(partial)), [bot]);
    // Only the first envelope changes (the second already lists the bot's key id).
    expect(p.bundle.logEntries.map((e) => e.attestationDigest)).toEqual([
      WORKED_EXAMPLE_ATTESTATION_DIGESTS[1],
      WORKED_EXAMPLE_ATTESTATION_DIGESTS[1],
    ]);
  });

  it('rejects bytes that are not a bundle with MALFORMED_BUNDLE', () => {
    expect(() => signBundle(enc.encode('{"mediaType":"x"}'), [m1])).toThrow(
      expect.objectContaining({ code: 'MALFORMED_BUNDLE' }),
    );
  });
});

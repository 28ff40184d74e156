// SPDX-License-Identifier: Apache-2.0
// The validator replaced a zod schema and keeps its problems exactly (checked against it with a
// differential fuzzer when it was written); these cases pin the less obvious rules. Fixtures are
// plain JSON edited in place by each case, so they are typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return */
import { describe, expect, it } from 'vitest';
import { privateKeyFromSeed, publicKeyToBase64 } from '../crypto/index.js';
import { formatJsonPath } from '../json/index.js';
import { validateTrustStore } from './trust-store-validate.js';

const pub = (seed: number) => privateKeyFromSeed(new Uint8Array(32).fill(seed)).publicKey;
const k1 = pub(1);
const k2 = pub(2);

function store(): Record<string, unknown> {
  return {
    version: 1,
    id: 's',
    updated: '2026-01-01T00:00:00Z',
    keys: {
      releasers: [
        {
          id: k1.keyId,
          algorithm: 'ed25519',
          publicKey: publicKeyToBase64(k1),
          validFrom: '2026-01-01T00:00:00Z',
          metadata: { owner: 'a', note: 1 },
          extra: true,
        },
      ],
    },
    thresholds: { g: { k: 1, n: 1, algorithm: 'ed25519-multisig', members: [k1.keyId] } },
    logs: {
      l: {
        operator: 'o',
        publicKey: publicKeyToBase64(k2),
        url: 'file:///l',
        algorithm: 'ed25519',
      },
    },
  };
}

function issues(edit: (s: Record<string, any>) => void): [string, string][] {
  const s = store();
  edit(s);
  const r = validateTrustStore(s);
  return r.ok ? [] : r.issues.map((i) => [formatJsonPath(i.path), i.message]);
}

describe('validateTrustStore', () => {
  it('drops unknown members (metadata keeps them), fills serial 0, copies nothing it checks', () => {
    const r = validateTrustStore(store());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.data.serial).toBe(0);
    expect(r.data.keys['releasers']?.[0]).not.toHaveProperty('extra');
    expect(r.data.keys['releasers']?.[0]?.metadata).toEqual({ owner: 'a', note: 1 });
    expect(Object.keys(r.data)).toEqual([
      'version',
      'id',
      'serial',
      'updated',
      'keys',
      'thresholds',
      'logs',
    ]);
  });

  it('reports missing members, wrong types and rule breaks in schema order', () => {
    expect(
      issues((s) => {
        delete s.id;
        s.version = '1';
        s.updated = 5;
        s.logs.l.url = 'ftp://x';
      }),
    ).toEqual([
      ['$.version', 'must be the integer 1'],
      ['$.id', 'required member is missing'],
      ['$.updated', 'Invalid input: expected string, received number'],
      ['$.logs.l.url', 'must be an https:, http: or file: URI'],
    ]);
  });

  it('stops cross-member rules after a type error but not after a rule break', () => {
    // k is not an integer: n = members and k ≤ n are not checked
    expect(issues((s) => ((s.thresholds.g.k = 1.5), (s.thresholds.g.n = 2)))).toEqual([
      ['$.thresholds.g.k', 'must be an integer'],
    ]);
    // k below its minimum: the group rules still run
    expect(issues((s) => ((s.thresholds.g.k = 0), (s.thresholds.g.n = 2)))).toEqual([
      ['$.thresholds.g.k', 'k must be at least 1'],
      ['$.thresholds.g.n', 'n is 2 but the group has 1 members'],
    ]);
    expect(issues((s) => (s.thresholds.g.n = 2 ** 53))).toEqual([
      ['$.thresholds.g.n', 'must be an integer'],
      ['$.thresholds.g.n', `n is ${2 ** 53} but the group has 1 members`],
    ]);
  });

  it('checks validUntil against validFrom only when the key is otherwise well typed', () => {
    const until = (s: Record<string, any>) =>
      (s.keys.releasers[0].validUntil = '2025-01-01T00:00:00Z');
    expect(issues(until)).toEqual([
      [
        '$.keys.releasers[0].validUntil',
        'validUntil 2025-01-01T00:00:00Z is not later than validFrom 2026-01-01T00:00:00Z',
      ],
    ]);
    expect(issues((s) => (until(s), (s.keys.releasers[0].algorithm = 'rsa')))).toEqual([
      ['$.keys.releasers[0].algorithm', 'must be "ed25519"'],
    ]);
  });

  it('reports a bad record key once and skips its value; skips __proto__', () => {
    expect(issues((s) => (s.logs['a b'] = 5))).toEqual([
      ['$.logs["a b"]', 'log id must match ^[A-Za-z0-9][A-Za-z0-9._/-]{0,127}$'],
    ]);
    expect(
      issues((s) =>
        Object.defineProperty(s.thresholds, '__proto__', { value: 5, enumerable: true }),
      ),
    ).toEqual([]);
  });

  it('reports an empty array where a non-empty string belongs as both wrong and empty', () => {
    expect(issues((s) => (s.id = []))).toEqual([
      ['$.id', 'Invalid input: expected string, received array'],
      ['$.id', 'must not be empty'],
    ]);
  });

  it('rejects a non-object store', () => {
    expect(validateTrustStore(null)).toEqual({
      ok: false,
      issues: [{ path: [], message: 'Invalid input: expected object, received null' }],
    });
  });
});

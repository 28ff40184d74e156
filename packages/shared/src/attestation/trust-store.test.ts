// SPDX-License-Identifier: Apache-2.0
// Fixtures are plain JSON edited in place by each case, so they are typed loosely.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return */
import { describe, expect, it } from 'vitest';
import { encodeBase64, privateKeyFromSeed, publicKeyToBase64 } from '../crypto/index.js';
import { findKey, keysByOwner, keyStatusAt, parseTrustStore } from './trust-store.js';
import { parseRfc3339 } from '../time/rfc3339.js';

const key = (seed: number) => privateKeyFromSeed(new Uint8Array(32).fill(seed)).publicKey;
const m1 = key(0x11);
const m2 = key(0x12);
const bot = key(0x13);
const log1 = key(0x21);
const log2 = key(0x22);
const log3 = key(0x23);

const keyEntry = (k: typeof m1, owner: string) => ({
  id: k.keyId,
  algorithm: 'ed25519',
  publicKey: publicKeyToBase64(k),
  validFrom: '2026-01-01T00:00:00Z',
  metadata: { owner },
});

/** The dev trust store of 02 §11.1. */
function devStore(): Record<string, any> {
  return {
    $schema: 'https://verified-container.org/schema/trust-store-v1.json',
    version: 1,
    id: 'hello-dev',
    serial: 0,
    updated: '2026-11-25T10:00:00Z',
    profile: 'dev',
    keys: {
      releasers: [
        keyEntry(m1, 'maintainer-1'),
        keyEntry(m2, 'maintainer-2'),
        keyEntry(bot, 'release-bot'),
      ],
    },
    thresholds: {
      'release-signers': {
        k: 2,
        n: 3,
        algorithm: 'ed25519-multisig',
        members: [m1.keyId, m2.keyId, bot.keyId],
      },
    },
    logs: {
      'cerro-torre-log': {
        operator: 'cerro-torre-log',
        publicKey: publicKeyToBase64(log1),
        url: 'http://127.0.0.1:8080',
        algorithm: 'ed25519',
      },
      'local-file-log': {
        operator: 'local-file-log',
        publicKey: publicKeyToBase64(log2),
        url: 'file:///var/lib/vc/logs/local-file-log',
        algorithm: 'ed25519',
      },
    },
  };
}

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value, null, 2));
const parse = (value: unknown, profile?: 'dev' | 'production') =>
  parseTrustStore(bytes(value), profile === undefined ? {} : { profile });
const codesAndPaths = (problems: readonly { code: string; path?: string }[]) =>
  problems.map((p) => [p.code, p.path]);

describe('parseTrustStore (02 §9)', () => {
  it('accepts the dev store of 02 §11.1 and reports the spec key ids', () => {
    const r = parse(devStore());
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.profile).toBe('dev');
    expect(r.trustStore?.keys.releasers?.map((k) => k.id)).toEqual([
      'sha256:503d8ee46d581c649966569ae095e27041de83322e8e0480e5539e00d2d5d874',
      'sha256:00d6fd7a8269ddd8fb018e1275a05a6e55ba3fe4ea8eb9a07f9a8b5a37eeccd1',
      expect.stringMatching(/^sha256:ed720499[0-9a-f]{52}e567$/),
    ]);
    expect(r.trustStore?.logs['cerro-torre-log']?.publicKey).toBe(
      'MCowBQYDK2VwAyEAiEuIV/TqoWE8YVBNs01L6vNGUXoOMd483dTZtCAdnQs=',
    );
    expect(r.trustStore?.logs['local-file-log']?.publicKey).toBe(
      'MCowBQYDK2VwAyEAoJql9HpnWYAv+VX43C0qFKXJnSO+l/hkEn/5ODRVpPA=',
    );
    expect(r.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('takes the digest over the exact file bytes', () => {
    const a = parseTrustStore(bytes(devStore()));
    const b = parseTrustStore(new TextEncoder().encode(`${JSON.stringify(devStore())}\n`));
    expect(a.ok && b.ok).toBe(true);
    expect(a.digest).not.toBe(b.digest);
  });

  it('requires 3 logs in production: INSUFFICIENT_LOG_OPERATORS at $.logs', () => {
    const store = devStore();
    delete store.profile;
    const r = parse(store);
    expect(r.ok).toBe(false);
    expect(r.profile).toBe('production');
    expect(codesAndPaths(r.errors)).toEqual([['INSUFFICIENT_LOG_OPERATORS', '$.logs']]);
    expect(r.trustStore).toBeUndefined();
    // valid with --profile dev
    expect(parse(store, 'dev').ok).toBe(true);
    // a file saying dev stays dev
    expect(parse(devStore(), 'production').ok).toBe(true);
  });

  it('accepts a production store with 3 logs and a group', () => {
    const store = devStore();
    delete store.profile;
    store.logs['third-log'] = {
      operator: 'third',
      publicKey: encodeBase64(log3.raw),
      url: 'https://log.example.org',
      algorithm: 'ed25519',
    };
    expect(parse(store).errors).toEqual([]);
    delete store.thresholds['release-signers'];
    expect(codesAndPaths(parse(store).errors)).toEqual([['TRUST_STORE_INVALID', '$.thresholds']]);
  });

  it('requires one log in dev', () => {
    const store = devStore();
    store.logs = {};
    expect(codesAndPaths(parse(store).errors)).toEqual([['INSUFFICIENT_LOG_OPERATORS', '$.logs']]);
  });

  it('allows a dev store without groups', () => {
    const store = devStore();
    store.thresholds = {};
    expect(parse(store).ok).toBe(true);
  });

  it.each([
    ['top level', '{"version":1,"version":1}', '$.version'],
    ['a key entry', '{"keys":{"releasers":[{"id":"a","id":"b"}]}}', '$.keys.releasers[0].id'],
  ])('rejects a duplicate member in %s: TRUST_STORE_INVALID', (_name, text, path) => {
    const r = parseTrustStore(new TextEncoder().encode(text));
    expect(codesAndPaths(r.errors)).toEqual([['TRUST_STORE_INVALID', path]]);
  });

  it('rejects non-JSON, a non-object and a fraction', () => {
    for (const text of ['nope', '[]', '{"version":1.0}']) {
      const r = parseTrustStore(new TextEncoder().encode(text));
      expect(r.errors[0]?.code).toBe('TRUST_STORE_INVALID');
    }
  });

  it.each<[string, (s: Record<string, any>) => void, string]>([
    ['version not 1', (s) => (s.version = 2), '$.version'],
    ['version as string', (s) => (s.version = '1'), '$.version'],
    ['id missing', (s) => delete s.id, '$.id'],
    ['id empty', (s) => (s.id = ''), '$.id'],
    ['serial negative', (s) => (s.serial = -1), '$.serial'],
    ['updated not a time', (s) => (s.updated = 'yesterday'), '$.updated'],
    ['profile unknown', (s) => (s.profile = 'staging'), '$.profile'],
    ['$schema other', (s) => (s.$schema = 'https://example.org/x.json'), '$["$schema"]'],
    ['keys not an object', (s) => (s.keys = []), '$.keys'],
    ['bad role name', (s) => (s.keys.Releasers = []), '$.keys.Releasers'],
    ['key id with a space', (s) => (s.keys.releasers[0].id = 'a b'), '$.keys.releasers[0].id'],
    [
      'key algorithm',
      (s) => (s.keys.releasers[0].algorithm = 'rsa'),
      '$.keys.releasers[0].algorithm',
    ],
    [
      'key publicKey as number',
      (s) => (s.keys.releasers[0].publicKey = 5),
      '$.keys.releasers[0].publicKey',
    ],
    [
      'key publicKey of 31 bytes',
      (s) => (s.keys.releasers[0].publicKey = encodeBase64(new Uint8Array(31))),
      '$.keys.releasers[0].publicKey',
    ],
    [
      'validFrom missing',
      (s) => delete s.keys.releasers[1].validFrom,
      '$.keys.releasers[1].validFrom',
    ],
    [
      'validUntil = validFrom',
      (s) => (s.keys.releasers[1].validUntil = '2026-01-01T00:00:00Z'),
      '$.keys.releasers[1].validUntil',
    ],
    [
      'validUntil < validFrom (offset)',
      (s) => (s.keys.releasers[1].validUntil = '2026-01-01T00:30:00+01:00'),
      '$.keys.releasers[1].validUntil',
    ],
    [
      'metadata.owner number',
      (s) => (s.keys.releasers[0].metadata.owner = 1),
      '$.keys.releasers[0].metadata.owner',
    ],
    ['thresholds missing', (s) => delete s.thresholds, '$.thresholds'],
    ['k > n', (s) => (s.thresholds['release-signers'].k = 4), '$.thresholds.release-signers.k'],
    ['k = 0', (s) => (s.thresholds['release-signers'].k = 0), '$.thresholds.release-signers.k'],
    [
      'n ≠ members',
      (s) => (s.thresholds['release-signers'].n = 2),
      '$.thresholds.release-signers.n',
    ],
    [
      'k a string',
      (s) => (s.thresholds['release-signers'].k = '2'),
      '$.thresholds.release-signers.k',
    ],
    [
      'group algorithm',
      (s) => (s.thresholds['release-signers'].algorithm = 'bls'),
      '$.thresholds.release-signers.algorithm',
    ],
    [
      'member twice',
      (s) => (s.thresholds['release-signers'].members[2] = m1.keyId),
      '$.thresholds.release-signers.members[2]',
    ],
    [
      'member not in keys',
      (s) => (s.thresholds['release-signers'].members[1] = key(0x44).keyId),
      '$.thresholds.release-signers.members[1]',
    ],
    ['log id with a space', (s) => (s.logs['a log'] = s.logs['local-file-log']), '$.logs["a log"]'],
    [
      'log operator empty',
      (s) => (s.logs['local-file-log'].operator = ''),
      '$.logs.local-file-log.operator',
    ],
    ['log url ftp', (s) => (s.logs['local-file-log'].url = 'ftp://x'), '$.logs.local-file-log.url'],
    [
      'log algorithm',
      (s) => (s.logs['local-file-log'].algorithm = 'ecdsa'),
      '$.logs.local-file-log.algorithm',
    ],
    [
      'log publicKey of 44 bytes that are not SPKI',
      (s) => (s.logs['local-file-log'].publicKey = encodeBase64(new Uint8Array(44))),
      '$.logs.local-file-log.publicKey',
    ],
    [
      'a group named __proto__',
      (s) =>
        Object.defineProperty(s.thresholds, '__proto__', {
          value: { k: 1, n: 1, algorithm: 'ed25519-multisig', members: [m1.keyId] },
          enumerable: true,
        }),
      '$.thresholds.__proto__',
    ],
    ['keys missing', (s) => delete s.keys, '$.keys'],
    ['logs missing', (s) => delete s.logs, '$.logs'],
    ['updated missing', (s) => delete s.updated, '$.updated'],
    ['version missing', (s) => delete s.version, '$.version'],
    ['serial a string', (s) => (s.serial = '1'), '$.serial'],
    [
      'revokedAt not a time',
      (s) => (s.keys.releasers[0].revokedAt = 'soon'),
      '$.keys.releasers[0].revokedAt',
    ],
    [
      'validUntil not a time',
      (s) => (s.keys.releasers[0].validUntil = '2027-13-01T00:00:00Z'),
      '$.keys.releasers[0].validUntil',
    ],
    [
      'log url https without host',
      (s) => (s.logs['cerro-torre-log'].url = 'https://'),
      '$.logs.cerro-torre-log.url',
    ],
    [
      'log publicKey missing',
      (s) => delete s.logs['cerro-torre-log'].publicKey,
      '$.logs.cerro-torre-log.publicKey',
    ],
    [
      'group members not an array',
      (s) => (s.thresholds['release-signers'].members = 'all'),
      '$.thresholds.release-signers.members',
    ],
    [
      'revocation reason missing',
      (s) =>
        (s.revocations = [
          { digest: `sha256:${'a'.repeat(64)}`, revokedAt: '2026-01-01T00:00:00Z' },
        ]),
      '$.revocations[0].reason',
    ],
    [
      'revocation digest',
      (s) =>
        (s.revocations = [{ digest: 'sha256:AB', reason: 'x', revokedAt: '2026-01-01T00:00:00Z' }]),
      '$.revocations[0].digest',
    ],
  ])('%s → TRUST_STORE_INVALID at its path', (_name, edit, path) => {
    const store = devStore();
    edit(store);
    const r = parse(store);
    expect(r.ok).toBe(false);
    expect(codesAndPaths(r.errors)).toContainEqual(['TRUST_STORE_INVALID', path]);
  });

  it('rejects a duplicate member name anywhere (strict parsing, 02 §1)', () => {
    const text = JSON.stringify(devStore()).replace(
      '"id":"hello-dev"',
      '"id":"hello-dev","id":"x"',
    );
    const r = parseTrustStore(new TextEncoder().encode(text));
    expect(r.errors[0]?.code).toBe('TRUST_STORE_INVALID');
  });

  it('accepts the frost-ed25519 alias, raw 32-byte keys, http/https/file logs and no serial', () => {
    const store = devStore();
    store.thresholds['release-signers'].algorithm = 'frost-ed25519';
    store.keys.releasers[0].publicKey = encodeBase64(m1.raw);
    store.logs['cerro-torre-log'].url = 'https://log.example.org/v1';
    delete store.serial;
    const r = parse(store);
    expect(r.errors).toEqual([]);
    expect(r.trustStore?.serial).toBe(0);
  });

  it('does not count trust-store-updaters as the group a production store needs', () => {
    const store = devStore();
    delete store.profile;
    store.logs['third-log'] = {
      operator: 'third',
      publicKey: publicKeyToBase64(log3),
      url: 'https://third.example',
      algorithm: 'ed25519',
    };
    store.thresholds = {
      'trust-store-updaters': {
        k: 1,
        n: 1,
        algorithm: 'ed25519-multisig',
        members: [m1.keyId],
      },
    };
    expect(codesAndPaths(parse(store).errors)).toEqual([['TRUST_STORE_INVALID', '$.thresholds']]);
    expect(parse(store, 'dev').errors).toEqual([]);
  });

  it('rejects one id with two different public keys', () => {
    const store = devStore();
    store.keys.maintainers = [{ ...keyEntry(m2, 'maintainer-2'), id: m1.keyId }];
    const r = parse(store);
    expect(codesAndPaths(r.errors)).toEqual([
      ['TRUST_STORE_INVALID', '$.keys.maintainers[0].publicKey'],
    ]);
  });

  it('allows one key in several roles', () => {
    const store = devStore();
    store.keys['trust-store-updaters'] = [keyEntry(m1, 'maintainer-1')];
    const r = parse(store);
    expect(r.errors).toEqual([]);
    expect(findKey(r.trustStore!, m1.keyId)?.roles).toEqual(['releasers', 'trust-store-updaters']);
  });

  it('rejects two member ids naming the same public key', () => {
    const store = devStore();
    store.keys.releasers.push({ ...keyEntry(m1, 'maintainer-1'), id: 'maintainer-1' });
    store.thresholds['release-signers'].members[2] = 'maintainer-1';
    const r = parse(store);
    expect(codesAndPaths(r.errors)).toEqual([
      ['TRUST_STORE_INVALID', '$.thresholds.release-signers.members[2]'],
    ]);
  });

  it('warns about a key id that is not the computed one, shared log keys and operators', () => {
    const store = devStore();
    store.keys.releasers[2].id = 'release-bot';
    store.thresholds['release-signers'].members[2] = 'release-bot';
    store.logs['local-file-log'].publicKey = encodeBase64(log1.raw); // same key, raw form
    store.logs['local-file-log'].operator = 'cerro-torre-log';
    store.extra = true;
    const r = parse(store);
    expect(r.errors).toEqual([]);
    expect(codesAndPaths(r.warnings)).toEqual([
      ['TRUST_STORE_UNKNOWN_MEMBER', '$.extra'],
      ['TRUST_STORE_KEY_ID_MISMATCH', '$.keys.releasers[2].id'],
      ['TRUST_STORE_LOG_KEY_SHARED', '$.logs.local-file-log.publicKey'],
      ['TRUST_STORE_LOG_OPERATOR_SHARED', '$.logs.local-file-log.operator'],
    ]);
    expect(findKey(r.trustStore!, 'release-bot')?.computedKeyId).toBe(bot.keyId);
  });

  it('accepts fractional seconds and offsets in times', () => {
    const store = devStore();
    store.updated = '2026-11-25T11:00:00.123456+01:00';
    store.keys.releasers[0].validUntil = '2027-01-01T00:00:00.5z';
    expect(parse(store).errors).toEqual([]);
    store.updated = '2026-02-30T00:00:00Z';
    expect(codesAndPaths(parse(store).errors)).toEqual([['TRUST_STORE_INVALID', '$.updated']]);
  });
});

describe('trust-store helpers', () => {
  const store = parse(devStore()).trustStore!;

  it('finds keys by id across roles and by owner', () => {
    const found = findKey(store, m2.keyId);
    expect(found?.role).toBe('releasers');
    expect(found?.key.metadata?.owner).toBe('maintainer-2');
    expect(found?.publicKey.keyId).toBe(m2.keyId);
    expect(findKey(store, key(0x44).keyId)).toBeUndefined();
    expect(keysByOwner(store, 'release-bot').map((k) => k.key.id)).toEqual([bot.keyId]);
    expect(keysByOwner(store, 'nobody')).toEqual([]);
  });

  it('tells key validity at a time (04 §2)', () => {
    const k = {
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-01-01T00:00:00Z',
      revokedAt: '2026-06-01T00:00:00Z',
    };
    const at = (t: string) => new Date(parseRfc3339(t)!);
    expect(keyStatusAt(k, at('2025-12-31T23:59:59Z'))).toBe('not-yet-valid');
    expect(keyStatusAt(k, at('2026-01-01T00:00:00Z'))).toBe('valid');
    expect(keyStatusAt(k, at('2026-06-01T00:00:00Z'))).toBe('revoked');
    expect(keyStatusAt({ ...k, revokedAt: undefined }, at('2027-01-01T00:00:00Z'))).toBe('valid');
    expect(keyStatusAt({ ...k, revokedAt: undefined }, at('2027-01-01T00:00:01Z'))).toBe('expired');
  });

  it('parses RFC 3339 with offsets', () => {
    expect(parseRfc3339('2026-11-25T11:00:05+01:00')).toBe(Date.UTC(2026, 10, 25, 10, 0, 5));
    expect(parseRfc3339('2026-11-25T10:00:05.999Z')).toBe(Date.UTC(2026, 10, 25, 10, 0, 5, 999));
    for (const bad of ['2026-11-25 10:00:05Z', '2026-11-25T10:00:05', '2026-13-01T00:00:00Z']) {
      expect(parseRfc3339(bad)).toBeNull();
    }
  });
});

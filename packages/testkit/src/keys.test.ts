// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { publicKeyToBase64 } from '@verified-container/shared/crypto';
import { randomKey, seedKey, SPEC_KEYS } from './keys.js';

describe('spec keys (02 §8, §11.1)', () => {
  it('have the key ids and public keys printed in the spec', () => {
    expect(SPEC_KEYS['maintainer-1'].publicKey.keyId).toBe(
      'sha256:503d8ee46d581c649966569ae095e27041de83322e8e0480e5539e00d2d5d874',
    );
    expect(SPEC_KEYS['maintainer-2'].publicKey.keyId).toBe(
      'sha256:00d6fd7a8269ddd8fb018e1275a05a6e55ba3fe4ea8eb9a07f9a8b5a37eeccd1',
    );
    // 02 §11.1 prints this one abbreviated.
    expect(SPEC_KEYS['release-bot'].publicKey.keyId).toMatch(/^sha256:ed720499[0-9a-f]{52}e567$/);
    expect(publicKeyToBase64(SPEC_KEYS['maintainer-1'].publicKey)).toBe(
      'MCowBQYDK2VwAyEA0EqyMnQrtKs6E2i9RhXk5tAiSrcaAWuvhSCjMsl3hzc=',
    );
    expect(publicKeyToBase64(SPEC_KEYS['cerro-torre-log'].publicKey)).toBe(
      'MCowBQYDK2VwAyEAiEuIV/TqoWE8YVBNs01L6vNGUXoOMd483dTZtCAdnQs=',
    );
    expect(publicKeyToBase64(SPEC_KEYS['local-file-log'].publicKey)).toBe(
      'MCowBQYDK2VwAyEAoJql9HpnWYAv+VX43C0qFKXJnSO+l/hkEn/5ODRVpPA=',
    );
  });

  it('seedKey is deterministic and checks its byte', () => {
    expect(seedKey(0x11).publicKey.keyId).toBe(SPEC_KEYS['maintainer-1'].publicKey.keyId);
    for (const bad of [-1, 256, 1.5, Number.NaN]) expect(() => seedKey(bad)).toThrow(RangeError);
  });

  it('randomKey gives a new key each time', () => {
    expect(randomKey().publicKey.keyId).not.toBe(randomKey().publicKey.keyId);
  });
});

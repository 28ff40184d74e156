// SPDX-License-Identifier: Apache-2.0
import {
  generatePrivateKey,
  privateKeyFromSeed,
  type Ed25519PrivateKey,
} from '@verified-container/shared/crypto';

/**
 * The Ed25519 key whose 32-byte seed is `byte` repeated (the spec's worked examples). Such keys
 * are public knowledge: tests only.
 */
export function seedKey(byte: number): Ed25519PrivateKey {
  if (!Number.isInteger(byte) || byte < 0 || byte > 0xff) {
    throw new RangeError(`a seed byte is an integer 0–255, not ${byte}`);
  }
  return privateKeyFromSeed(new Uint8Array(32).fill(byte));
}

/** Seed bytes of the keys of 02 §11.1, by name (log keys by log id). */
export const SPEC_SEEDS = {
  'maintainer-1': 0x11,
  'maintainer-2': 0x12,
  'release-bot': 0x13,
  'cerro-torre-log': 0x21,
  'local-file-log': 0x22,
} as const;

export type SpecKeyName = keyof typeof SPEC_SEEDS;

/** The keys of 02 §11.1: maintainers, the release bot and the two log keys. */
export const SPEC_KEYS: Readonly<Record<SpecKeyName, Ed25519PrivateKey>> = {
  'maintainer-1': seedKey(SPEC_SEEDS['maintainer-1']),
  'maintainer-2': seedKey(SPEC_SEEDS['maintainer-2']),
  'release-bot': seedKey(SPEC_SEEDS['release-bot']),
  'cerro-torre-log': seedKey(SPEC_SEEDS['cerro-torre-log']),
  'local-file-log': seedKey(SPEC_SEEDS['local-file-log']),
};

/** A fresh random Ed25519 key, generated per test. */
export function randomKey(): Ed25519PrivateKey {
  return generatePrivateKey();
}

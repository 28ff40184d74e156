// SPDX-License-Identifier: Apache-2.0
export type { ParsedDigest } from './digest.js';
export {
  sha256,
  sha256Hex,
  sha256Digest,
  toHex,
  fromHex,
  parseDigest,
  isSha256Digest,
  sha256HexOf,
} from './digest.js';
export { decodeBase64, encodeBase64 } from './base64.js';
export type { Ed25519PublicKey, Ed25519PrivateKey, KeyErrorCode } from './keys.js';
export {
  KeyError,
  keyIdFromSpki,
  spkiFromRaw,
  publicKeyFromBytes,
  publicKeyFromBase64,
  publicKeyToBase64,
  parsePublicKeyPem,
  parsePrivateKeyPem,
  isEncryptedPem,
  privateKeyFromSeed,
  generatePrivateKey,
  privateKeyToPem,
  publicKeyToPem,
  signBytes,
  verifyBytes,
} from './keys.js';

// SPDX-License-Identifier: Apache-2.0
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { VcError } from '../errors.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import { sha256Hex } from './digest.js';

/** SPKI DER prefix of an Ed25519 public key (02 §8): the 32 key bytes follow. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** PKCS#8 DER prefix of an Ed25519 private key: the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export type KeyErrorCode =
  'KEY_UNSUPPORTED' | 'KEY_INVALID' | 'KEY_PASSPHRASE_REQUIRED' | 'KEY_PASSPHRASE_INVALID';

export class KeyError extends VcError<KeyErrorCode> {}

export interface Ed25519PublicKey {
  readonly kind: 'ed25519-public';
  /** 44-byte SPKI DER. */
  readonly spki: Uint8Array;
  /** The 32 raw key bytes. */
  readonly raw: Uint8Array;
  /** `sha256:` + hex(sha256(SPKI DER)). */
  readonly keyId: string;
  readonly keyObject: KeyObject;
}

export interface Ed25519PrivateKey {
  readonly kind: 'ed25519-private';
  readonly publicKey: Ed25519PublicKey;
  readonly keyObject: KeyObject;
}

/** Key id of 02 §8: `sha256:` + lowercase hex of sha256(SPKI DER). */
export function keyIdFromSpki(spki: Uint8Array): string {
  return `sha256:${sha256Hex(spki)}`;
}

export function spkiFromRaw(raw: Uint8Array): Uint8Array {
  if (raw.byteLength !== 32) throw new KeyError('KEY_INVALID', 'an Ed25519 key has 32 bytes');
  return new Uint8Array(Buffer.concat([SPKI_PREFIX, raw]));
}

/**
 * Key ids and key objects already made, by SPKI hex: a verification looks up the trust store's
 * keys many times (schema, key ids, signatures, SETs) and `createPublicKey` dominates that cost.
 * Key objects are immutable; callers still get their own byte arrays.
 */
const parsedKeys = new Map<string, { keyId: string; keyObject: KeyObject }>();
const PARSED_KEYS_MAX = 1024;

/** Public key from SPKI DER (44 bytes) or the raw 32 bytes. */
export function publicKeyFromBytes(bytes: Uint8Array): Ed25519PublicKey {
  let spki: Uint8Array;
  if (bytes.byteLength === 32) spki = spkiFromRaw(bytes);
  else if (bytes.byteLength === 44 && Buffer.from(bytes.subarray(0, 12)).equals(SPKI_PREFIX)) {
    spki = bytes;
  } else {
    throw new KeyError('KEY_UNSUPPORTED', 'not an Ed25519 public key (SPKI DER or 32 raw bytes)');
  }
  const cacheKey = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('hex');
  let known = parsedKeys.get(cacheKey);
  if (known === undefined) {
    known = {
      keyId: keyIdFromSpki(spki),
      keyObject: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }),
    };
    if (parsedKeys.size >= PARSED_KEYS_MAX) parsedKeys.clear();
    parsedKeys.set(cacheKey, known);
  }
  return {
    kind: 'ed25519-public',
    spki: bytes.byteLength === 32 ? spki : spki.slice(),
    raw: spki.slice(12),
    keyId: known.keyId,
    keyObject: known.keyObject,
  };
}

/** Public key from the trust-store form: base64 of SPKI DER or of the raw 32 bytes. */
export function publicKeyFromBase64(text: string): Ed25519PublicKey {
  const bytes = decodeBase64(text);
  if (bytes === null) throw new KeyError('KEY_INVALID', 'public key is not base64');
  return publicKeyFromBytes(bytes);
}

export function publicKeyToBase64(key: Ed25519PublicKey): string {
  return encodeBase64(key.spki);
}

function publicFromObject(keyObject: KeyObject): Ed25519PublicKey {
  if (keyObject.asymmetricKeyType !== 'ed25519') {
    throw new KeyError(
      'KEY_UNSUPPORTED',
      `${keyObject.asymmetricKeyType ?? 'unknown'} keys are not supported; only Ed25519`,
      { hint: 'create one with cerro-torre keygen' },
    );
  }
  const publicObject = keyObject.type === 'private' ? createPublicKey(keyObject) : keyObject;
  const spki = new Uint8Array(publicObject.export({ type: 'spki', format: 'der' }));
  return {
    kind: 'ed25519-public',
    spki,
    raw: spki.slice(12),
    keyId: keyIdFromSpki(spki),
    keyObject: publicObject,
  };
}

/** Parses an SPKI PEM (`PUBLIC KEY`). */
export function parsePublicKeyPem(pem: string): Ed25519PublicKey {
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: pem, format: 'pem' });
  } catch (cause) {
    throw new KeyError('KEY_INVALID', 'not a PEM public key', { cause });
  }
  return publicFromObject(keyObject);
}

/** True when a PEM holds an encrypted PKCS#8 key. */
export function isEncryptedPem(pem: string): boolean {
  return pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----');
}

/**
 * Parses a PKCS#8 PEM private key, decrypting `ENCRYPTED PRIVATE KEY` with the passphrase.
 * Throws KEY_PASSPHRASE_REQUIRED / KEY_PASSPHRASE_INVALID / KEY_UNSUPPORTED / KEY_INVALID.
 */
export function parsePrivateKeyPem(pem: string, passphrase?: string): Ed25519PrivateKey {
  const encrypted = isEncryptedPem(pem);
  if (encrypted && (passphrase === undefined || passphrase === '')) {
    throw new KeyError('KEY_PASSPHRASE_REQUIRED', 'the private key is encrypted', {
      hint: 'give --passphrase-file FILE or set CT_KEY_PASSPHRASE',
    });
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({
      key: pem,
      format: 'pem',
      ...(encrypted ? { passphrase } : {}),
    });
  } catch (cause) {
    if (encrypted) {
      throw new KeyError('KEY_PASSPHRASE_INVALID', 'wrong passphrase for the private key', {
        cause,
      });
    }
    throw new KeyError('KEY_INVALID', 'not a PEM private key (PKCS#8)', { cause });
  }
  if (keyObject.type !== 'private') throw new KeyError('KEY_INVALID', 'not a private key');
  return { kind: 'ed25519-private', keyObject, publicKey: publicFromObject(keyObject) };
}

/** The key of a 32-byte seed (tests, the spec's worked examples). */
export function privateKeyFromSeed(seed: Uint8Array): Ed25519PrivateKey {
  if (seed.byteLength !== 32) throw new KeyError('KEY_INVALID', 'an Ed25519 seed has 32 bytes');
  const keyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return { kind: 'ed25519-private', keyObject, publicKey: publicFromObject(keyObject) };
}

export function generatePrivateKey(): Ed25519PrivateKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    kind: 'ed25519-private',
    keyObject: privateKey,
    publicKey: publicFromObject(privateKey),
  };
}

/** PKCS#8 PEM; encrypted (PBES2, PBKDF2-HMAC-SHA256 + AES-256-CBC) when a passphrase is given. */
export function privateKeyToPem(key: Ed25519PrivateKey, passphrase?: string): string {
  if (passphrase !== undefined && passphrase !== '') {
    return key.keyObject.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase,
    }) as string;
  }
  return key.keyObject.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export function publicKeyToPem(key: Ed25519PublicKey): string {
  return key.keyObject.export({ type: 'spki', format: 'pem' }) as string;
}

/** Ed25519 (RFC 8032, pure) signature: 64 bytes. */
export function signBytes(key: Ed25519PrivateKey, data: Uint8Array): Uint8Array {
  return new Uint8Array(nodeSign(null, data, key.keyObject));
}

/** False for a signature that is not 64 bytes or does not verify; never throws. */
export function verifyBytes(
  key: Ed25519PublicKey,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (signature.byteLength !== 64) return false;
  try {
    return nodeVerify(null, data, key.keyObject, signature);
  } catch {
    return false;
  }
}

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from './base64.js';
import { parseDigest, sha256Digest, sha256HexOf } from './digest.js';
import {
  generatePrivateKey,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  privateKeyFromSeed,
  privateKeyToPem,
  publicKeyFromBase64,
  publicKeyToBase64,
  publicKeyToPem,
  signBytes,
  verifyBytes,
} from './keys.js';

const seed = (b: number) => new Uint8Array(32).fill(b);

describe('base64', () => {
  it('accepts the standard and URL-safe alphabets, with or without padding', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x01]);
    for (const text of ['+//+AQ==', '-__-AQ==', '+//+AQ', '-__-AQ']) {
      expect(decodeBase64(text)).toEqual(bytes);
    }
    expect(encodeBase64(bytes)).toBe('+//+AQ==');
  });

  it('decodes a megabyte payload, mixed alphabets included', () => {
    const bytes = new Uint8Array(1_000_001);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 256;
    const text = encodeBase64(bytes);
    const same = (decoded: Uint8Array | null): boolean =>
      decoded !== null && Buffer.compare(decoded, bytes) === 0;
    expect(same(decodeBase64(text))).toBe(true);
    expect(same(decodeBase64(text.replace(/=+$/, '')))).toBe(true);
    expect(same(decodeBase64(text.replace(/\+/g, '-').replace(/\//g, '_')))).toBe(true);
    expect(decodeBase64(`${text.slice(0, 500_000)}!${text.slice(500_001)}`)).toBeNull();
  });

  it.each(['AQ= =', 'A Q==', 'AQ==\n', 'AQ===', 'A', 'AQ=A', '*AQ=', 'AQ=', '=', 'AQ\u00e9='])(
    'rejects %j',
    (text) => {
      expect(decodeBase64(text)).toBeNull();
    },
  );
});

describe('digests', () => {
  it('formats and parses sha256 digests', () => {
    const d = sha256Digest('');
    expect(d).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(parseDigest(d)).toEqual({ algorithm: 'sha256', hex: d.slice(7) });
    expect(parseDigest(d.toUpperCase())).toBeNull();
    expect(parseDigest('sha256:abc')).toBeNull();
    expect(parseDigest('md5:' + d.slice(7))).toBeNull();
    expect(sha256HexOf(d.slice(7).toUpperCase())).toBe(d.slice(7));
  });
});

describe('ed25519 keys (02 §8)', () => {
  it('derives the spec key id and SPKI of seed 0x11', () => {
    const key = privateKeyFromSeed(seed(0x11));
    expect(key.publicKey.keyId).toBe(
      'sha256:503d8ee46d581c649966569ae095e27041de83322e8e0480e5539e00d2d5d874',
    );
    expect(publicKeyToBase64(key.publicKey)).toBe(
      'MCowBQYDK2VwAyEA0EqyMnQrtKs6E2i9RhXk5tAiSrcaAWuvhSCjMsl3hzc=',
    );
  });

  it('round-trips PEM, plain and encrypted', () => {
    const key = generatePrivateKey();
    const plain = parsePrivateKeyPem(privateKeyToPem(key));
    expect(plain.publicKey.keyId).toBe(key.publicKey.keyId);
    const pem = privateKeyToPem(key, 'correct horse');
    expect(pem).toContain('ENCRYPTED PRIVATE KEY');
    expect(parsePrivateKeyPem(pem, 'correct horse').publicKey.keyId).toBe(key.publicKey.keyId);
    expect(() => parsePrivateKeyPem(pem)).toThrow(
      expect.objectContaining({ code: 'KEY_PASSPHRASE_REQUIRED' }),
    );
    expect(() => parsePrivateKeyPem(pem, 'wrong')).toThrow(
      expect.objectContaining({ code: 'KEY_PASSPHRASE_INVALID' }),
    );
    expect(parsePublicKeyPem(publicKeyToPem(key.publicKey)).keyId).toBe(key.publicKey.keyId);
  });

  it('rejects other algorithms and garbage', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(() => parsePrivateKeyPem(pem)).toThrow(
      expect.objectContaining({ code: 'KEY_UNSUPPORTED' }),
    );
    expect(() =>
      parsePrivateKeyPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
    ).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => publicKeyFromBase64('AAAA')).toThrow(
      expect.objectContaining({ code: 'KEY_UNSUPPORTED' }),
    );
  });

  it('accepts raw 32-byte public keys with the same id', () => {
    const key = privateKeyFromSeed(seed(0x12));
    expect(publicKeyFromBase64(encodeBase64(key.publicKey.raw)).keyId).toBe(key.publicKey.keyId);
  });

  it('gives each caller its own bytes when a key is parsed again', () => {
    const text = publicKeyToBase64(privateKeyFromSeed(seed(0x15)).publicKey);
    const a = publicKeyFromBase64(text);
    const b = publicKeyFromBase64(text);
    expect(b.keyId).toBe(a.keyId);
    expect(b.spki).toEqual(a.spki);
    a.spki[0] = 0;
    a.raw[0] = (a.raw[0] ?? 0) ^ 1;
    expect(publicKeyFromBase64(text).spki).toEqual(b.spki);
    expect(publicKeyFromBase64(text).raw).toEqual(b.raw);
    expect(publicKeyToBase64(publicKeyFromBase64(text))).toBe(text);
  });

  it('signs and verifies; tampering fails', () => {
    const key = privateKeyFromSeed(seed(0x13));
    const data = new TextEncoder().encode('payload');
    const sig = signBytes(key, data);
    expect(sig.byteLength).toBe(64);
    expect(verifyBytes(key.publicKey, data, sig)).toBe(true);
    const flipped = sig.slice();
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(verifyBytes(key.publicKey, data, flipped)).toBe(false);
    expect(verifyBytes(key.publicKey, data, sig.subarray(0, 63))).toBe(false);
    expect(verifyBytes(privateKeyFromSeed(seed(0x14)).publicKey, data, sig)).toBe(false);
  });
});

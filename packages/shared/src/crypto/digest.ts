// SPDX-License-Identifier: Apache-2.0
import { createHash } from 'node:crypto';

const encoder = new TextEncoder();

/** SHA-256 of bytes (strings are hashed as UTF-8). */
export function sha256(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

export function sha256Hex(data: Uint8Array | string): string {
  return toHex(sha256(data));
}

/** `sha256:<64 lowercase hex>` of bytes: the OCI digest form used everywhere (02 §1). */
export function sha256Digest(data: Uint8Array | string): string {
  return `sha256:${sha256Hex(data)}`;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Bytes of a hex string, or null when it is not hex of even length. */
export function fromHex(hex: string): Uint8Array | null {
  if (!HEX.test(hex)) return null;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

export interface ParsedDigest {
  readonly algorithm: 'sha256' | 'sha512';
  /** Lowercase hex. */
  readonly hex: string;
}

const DIGEST = /^(sha256|sha512):([0-9a-f]+)$/;
const HEX_LENGTH = { sha256: 64, sha512: 128 } as const;

/** Parses `sha256:<64 lowercase hex>` (or sha512); null when malformed. */
export function parseDigest(text: string): ParsedDigest | null {
  const m = DIGEST.exec(text);
  if (!m) return null;
  const algorithm = m[1] as 'sha256' | 'sha512';
  const hex = m[2] ?? '';
  return hex.length === HEX_LENGTH[algorithm] ? { algorithm, hex } : null;
}

/** True for `sha256:<64 lowercase hex>`. */
export function isSha256Digest(text: string): boolean {
  return parseDigest(text)?.algorithm === 'sha256';
}

/** Lowercase 64-hex of `sha256:<hex>` or bare hex (either case); null otherwise. */
export function sha256HexOf(text: string): string | null {
  const hex = text.startsWith('sha256:') ? text.slice(7) : text;
  return /^[0-9a-fA-F]{64}$/.test(hex) ? hex.toLowerCase() : null;
}

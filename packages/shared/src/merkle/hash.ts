// SPDX-License-Identifier: Apache-2.0
import { hash } from 'node:crypto';
import { VcError } from '../errors.js';

/** Size in bytes of every Merkle hash (SHA-256). */
export const HASH_SIZE = 32;

// One-shot hashing (node:crypto `hash`, Node ≥ 20.12) creates no Hash object per call; with
// millions of node hashes that roughly halves the time, most of it garbage collection.
function sha256(bytes: Uint8Array): Uint8Array {
  const out = hash('sha256', bytes, 'buffer');
  // A plain Uint8Array view, so callers never meet Buffer semantics (Buffer#slice aliases).
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** RFC 9162 leaf hash: SHA-256(0x00 ‖ leaf bytes) (03 §2). */
export function leafHash(leaf: Uint8Array): Uint8Array {
  const input = new Uint8Array(leaf.length + 1);
  input.set(leaf, 1);
  return sha256(input);
}

// Node hashes are synchronous, so one input buffer serves every call.
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/** RFC 9162 interior node hash: SHA-256(0x01 ‖ left ‖ right) (03 §2); both 32 bytes. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    throw new VcError('INVALID_ARGUMENT', `node hash inputs are ${HASH_SIZE} bytes each`);
  }
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

/**
 * MTH({}) = SHA-256(""): the root of the empty tree (`e3b0c442…b855`). Shared: never mutate it
 * (`rootAt(store, 0)` returns a copy).
 */
export const EMPTY_ROOT: Uint8Array = sha256(new Uint8Array(0));

const HASH_HEX = /^(?:sha256:)?([0-9a-fA-F]{64})$/;

/**
 * The 32 bytes of a JSON hash: 64 hex characters (either case), optionally prefixed `sha256:`
 * (03 §2). Returns null for anything else; never throws.
 */
export function hashFromHex(text: string): Uint8Array | null {
  const m = HASH_HEX.exec(text);
  if (m === null || m[1] === undefined) return null;
  return new Uint8Array(Buffer.from(m[1], 'hex'));
}

/** 64 lowercase hex characters of a hash (the JSON form, without prefix). */
export function hashToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Byte equality of two hashes. Not constant-time: Merkle hashes are public (03 §6.1). */
export function hashEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

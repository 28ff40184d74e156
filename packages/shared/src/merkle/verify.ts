// SPDX-License-Identifier: Apache-2.0
import { HASH_SIZE, hashEquals, nodeHash } from './hash.js';
import { isPowerOfTwo } from './powers-of-two.js';

// 03 §6: no tree of at most 2^64 leaves needs more; longer proofs are refused before any hashing.
const MAX_PROOF_HASHES = 64;

export interface InclusionProofInput {
  /** Leaf index i, 0 ≤ i < treeSize. */
  readonly index: number;
  /** Tree size n. */
  readonly treeSize: number;
  /** RFC 9162 leaf hash, 32 bytes. */
  readonly leafHash: Uint8Array;
  /** The audit path, leaf-side first, 32 bytes each. */
  readonly hashes: readonly Uint8Array[];
  /** The root the proof must lead to, 32 bytes. */
  readonly rootHash: Uint8Array;
}

export interface ConsistencyProofInput {
  /** First (older) tree size m. */
  readonly first: number;
  /** Second (newer) tree size n ≥ m. */
  readonly second: number;
  readonly firstRoot: Uint8Array;
  readonly secondRoot: Uint8Array;
  /** PROOF(m, D[n]), 32 bytes each. */
  readonly hashes: readonly Uint8Array[];
}

// Tree sizes may exceed 2^32, so halving is Math.floor(x / 2), never `>>= 1`.
const half = (x: number): number => Math.floor(x / 2);
const isOdd = (x: number): boolean => x % 2 === 1;

function isSize(x: number): boolean {
  return Number.isSafeInteger(x) && x >= 0;
}

function allHashes(list: readonly Uint8Array[]): boolean {
  return list.every((h) => h instanceof Uint8Array && h.length === HASH_SIZE);
}

/**
 * RFC 9162 §2.1.3.2 inclusion verification, exactly 03 §6.1: true iff `hashes` leads from
 * `leafHash` at `index` to `rootHash` in a tree of `treeSize` leaves. False (never a throw) for
 * i ≥ n, more than 64 hashes, non-integer sizes or any hash that is not 32 bytes. The tree size
 * is only as trustworthy as the signed head it comes from: proofs for some other sizes can have
 * the same shape.
 */
export function verifyInclusion(input: InclusionProofInput): boolean {
  const { index, treeSize, leafHash, hashes, rootHash } = input;
  if (!isSize(index) || !isSize(treeSize) || index >= treeSize) return false;
  if (hashes.length > MAX_PROOF_HASHES) return false;
  if (!allHashes([leafHash, rootHash, ...hashes])) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leafHash;
  for (const p of hashes) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!isOdd(fn) && fn !== 0);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && hashEquals(r, rootHash);
}

/**
 * RFC 9162 §2.1.4.2 consistency verification, exactly 03 §6.2: true iff `hashes` proves the tree
 * of size `first` with root `firstRoot` is a prefix of the tree of size `second` with root
 * `secondRoot`. Per the spec, m = n needs an empty proof and equal roots, and m = 0 needs only an
 * empty proof (every tree extends the empty tree; the roots are not compared). False (never a
 * throw) for m > n, more than 64 hashes, non-integer sizes or any hash that is not 32 bytes.
 */
export function verifyConsistency(input: ConsistencyProofInput): boolean {
  const { first: m, second: n, firstRoot, secondRoot, hashes } = input;
  if (!isSize(m) || !isSize(n)) return false;
  if (!allHashes([firstRoot, secondRoot, ...hashes])) return false;
  if (m === n) return hashes.length === 0 && hashEquals(firstRoot, secondRoot);
  if (m === 0) return hashes.length === 0;
  if (m > n || hashes.length === 0 || hashes.length > MAX_PROOF_HASHES) return false;
  const path = isPowerOfTwo(m) ? [firstRoot, ...hashes] : hashes;
  let fn = m - 1;
  let sn = n - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        do {
          fn = half(fn);
          sn = half(sn);
        } while (!isOdd(fn) && fn !== 0);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return hashEquals(fr, firstRoot) && hashEquals(sr, secondRoot) && sn === 0;
}

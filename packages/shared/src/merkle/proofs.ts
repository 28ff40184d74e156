// SPDX-License-Identifier: Apache-2.0
import { VcError } from '../errors.js';
import { splitPoint } from './powers-of-two.js';
import type { SubtreeHashes } from './subtree-store.js';
import { checkSize, subtreeRoot } from './tree.js';

/**
 * RFC 9162 §2.1.3.1 PATH(index, D[0:treeSize]): the audit path of leaf `index`, leaf-side first.
 * Every node is a stored complete subtree except at most one right-edge root, so generation costs
 * O(log n) reads and hashes. Throws `LOG_BAD_REQUEST` unless 0 ≤ index < treeSize ≤ store.size().
 */
export function inclusionProof(
  store: SubtreeHashes,
  index: number,
  treeSize: number,
): Uint8Array[] {
  checkSize(treeSize, store.size(), 'tree size');
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
    throw new VcError(
      'LOG_BAD_REQUEST',
      `leaf index ${index} is not in a tree of ${treeSize} leaves`,
      { hint: 'the index must be an integer with 0 ≤ index < treeSize' },
    );
  }
  // Walk from the root down to the leaf; PATH lists the siblings from the leaf up.
  const path: Uint8Array[] = [];
  let start = 0;
  let end = treeSize;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      path.push(subtreeRoot(store, start + k, end));
      end = start + k;
    } else {
      path.push(subtreeRoot(store, start, start + k));
      start += k;
    }
  }
  return path.reverse();
}

/**
 * RFC 9162 §2.1.4.1 PROOF(m, D[0:n]) = SUBPROOF(m, D[0:n], true): the consistency proof between
 * the trees of sizes m and n, empty when m = 0 or m = n (03 §6.2). O(log n) reads and hashes.
 * Throws `LOG_BAD_REQUEST` unless 0 ≤ m ≤ n ≤ store.size().
 */
export function consistencyProof(store: SubtreeHashes, m: number, n: number): Uint8Array[] {
  checkSize(n, store.size(), 'second tree size');
  if (!Number.isSafeInteger(m) || m < 0 || m > n) {
    throw new VcError('LOG_BAD_REQUEST', `first tree size ${m} is not an integer in [0, ${n}]`, {
      hint: 'the first size of a consistency proof is at most the second',
    });
  }
  if (m === 0 || m === n) return [];
  // SUBPROOF unrolled: the current subtree is D[start:end] and `m` is counted from `start`.
  const proof: Uint8Array[] = [];
  let start = 0;
  let end = n;
  let rest = m;
  let whole = true; // SUBPROOF's b: the subtree is still a prefix of the first tree's root path
  while (rest !== end - start) {
    const k = splitPoint(end - start);
    if (rest <= k) {
      proof.push(subtreeRoot(store, start + k, end));
      end = start + k;
    } else {
      proof.push(subtreeRoot(store, start, start + k));
      start += k;
      rest -= k;
      whole = false;
    }
  }
  if (!whole) proof.push(subtreeRoot(store, start, end));
  return proof.reverse();
}

// SPDX-License-Identifier: Apache-2.0
import { VcError } from '../errors.js';
import { EMPTY_ROOT, nodeHash } from './hash.js';
import { isPowerOfTwo, log2Exact, splitPoint } from './powers-of-two.js';
import type { SubtreeHashes } from './subtree-store.js';

/**
 * MTH(D[0:n]), the root of the first n leaves (03 §2), from stored subtree hashes: n is split
 * into complete aligned subtrees of decreasing powers of two from the left, folded right to left.
 * Reads popcount(n) ≤ 53 stored hashes. Throws `LOG_BAD_REQUEST` unless 0 ≤ n ≤ store.size().
 */
export function rootAt(store: SubtreeHashes, n: number): Uint8Array {
  checkSize(n, store.size(), 'tree size');
  if (n === 0) return EMPTY_ROOT.slice();
  const pieces: Uint8Array[] = [];
  let start = 0;
  let rest = n;
  while (rest > 0) {
    const width = isPowerOfTwo(rest) ? rest : splitPoint(rest);
    pieces.push(store.get(log2Exact(width), start / width));
    start += width;
    rest -= width;
  }
  let root = pieces[pieces.length - 1] as Uint8Array;
  for (let i = pieces.length - 2; i >= 0; i--) root = nodeHash(pieces[i] as Uint8Array, root);
  return root;
}

/**
 * MTH(D[start:end]) for 0 ≤ start < end ≤ store.size(). When the range is aligned as in every
 * RFC 9162 proof (start a multiple of the smallest power of two ≥ end − start), this reads at most
 * ⌈log2(end − start)⌉ + 1 stored hashes; other ranges are still correct but may read more.
 */
export function subtreeRoot(store: SubtreeHashes, start: number, end: number): Uint8Array {
  checkSize(end, store.size(), 'range end');
  if (!Number.isSafeInteger(start) || start < 0 || start >= end) {
    throw new VcError('LOG_BAD_REQUEST', `bad leaf range [${start}, ${end})`);
  }
  return rangeRoot(store, start, end);
}

function rangeRoot(store: SubtreeHashes, start: number, end: number): Uint8Array {
  const n = end - start;
  if (isPowerOfTwo(n) && start % n === 0) return store.get(log2Exact(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeRoot(store, start, start + k), rangeRoot(store, start + k, end));
}

/** Throws `LOG_BAD_REQUEST` unless n is an integer with 0 ≤ n ≤ size. */
export function checkSize(n: number, size: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new VcError('LOG_BAD_REQUEST', `${what} must be an integer ≥ 0, not ${n}`);
  }
  if (n > size) {
    throw new VcError('LOG_BAD_REQUEST', `${what} ${n} is larger than the tree (${size} leaves)`, {
      hint: 'ask for a size no larger than the latest tree head',
    });
  }
}

// SPDX-License-Identifier: Apache-2.0
import { VcError } from '../errors.js';
import { HASH_SIZE, nodeHash } from './hash.js';

/**
 * The stored subtree hashes of a log (03 §6.3, §8 `hashes/level-<k>.dat`): per level k, the hash
 * of every complete aligned subtree of 2^k leaves, in order. Level 0 holds the leaf hashes.
 * Roots and proofs are computed from these in O(log n) reads, never by rehashing leaves.
 */
export interface SubtreeHashes {
  /** Number of leaves. */
  size(): number;
  /**
   * Hash of the complete subtree of 2^level leaves starting at leaf `index × 2^level`; requires
   * `(index + 1) × 2^level ≤ size()`. The result is the caller's to keep (a copy).
   */
  get(level: number, index: number): Uint8Array;
}

const INITIAL_CAPACITY = 64;

/**
 * In-memory {@link SubtreeHashes}: one growable byte array per level, 32 bytes per hash, so a
 * tree of n leaves holds about 2n hashes (64 MiB for 1M leaves) in a handful of objects.
 */
export class MemorySubtreeHashes implements SubtreeHashes {
  // levels[k] holds counts[k] hashes of 2^k leaves each; its byte length is its capacity.
  private readonly levels: Uint8Array[] = [];
  private readonly counts: number[] = [];
  private leaves = 0;

  size(): number {
    return this.leaves;
  }

  get(level: number, index: number): Uint8Array {
    const count = this.counts[level];
    const bytes = this.levels[level];
    if (
      count === undefined ||
      bytes === undefined ||
      !Number.isSafeInteger(index) ||
      index < 0 ||
      index >= count
    ) {
      throw new VcError(
        'INVALID_ARGUMENT',
        `no complete subtree at level ${level}, index ${index} in a tree of ${this.leaves} leaves`,
      );
    }
    return bytes.slice(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  /**
   * Appends one leaf hash, then every subtree hash it completes (exactly what a log appends to
   * its level files). Returns the new number of leaves.
   */
  append(leafHash: Uint8Array): number {
    if (leafHash.length !== HASH_SIZE) {
      throw new VcError(
        'INVALID_ARGUMENT',
        `a leaf hash has ${HASH_SIZE} bytes, not ${leafHash.length}`,
      );
    }
    let level = 0;
    let hash = leafHash;
    for (;;) {
      const count = this.push(level, hash);
      // An even count means the new hash completed a pair: their parent is a complete subtree.
      if (count % 2 !== 0) break;
      const bytes = this.levels[level] as Uint8Array;
      const left = bytes.subarray((count - 2) * HASH_SIZE, (count - 1) * HASH_SIZE);
      const right = bytes.subarray((count - 1) * HASH_SIZE, count * HASH_SIZE);
      hash = nodeHash(left, right);
      level += 1;
    }
    this.leaves += 1;
    return this.leaves;
  }

  private push(level: number, hash: Uint8Array): number {
    let bytes = this.levels[level];
    const count = this.counts[level] ?? 0;
    if (bytes === undefined) {
      bytes = new Uint8Array(INITIAL_CAPACITY * HASH_SIZE);
      this.levels[level] = bytes;
    } else if ((count + 1) * HASH_SIZE > bytes.length) {
      const grown = new Uint8Array(bytes.length * 2);
      grown.set(bytes);
      bytes = grown;
      this.levels[level] = bytes;
    }
    bytes.set(hash, count * HASH_SIZE);
    this.counts[level] = count + 1;
    return count + 1;
  }
}

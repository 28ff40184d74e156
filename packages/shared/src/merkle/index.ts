// SPDX-License-Identifier: Apache-2.0

// RFC 9162 Merkle tree (03 §2, §6): hashing, stored subtree hashes, roots, proofs, verification.
export {
  HASH_SIZE,
  EMPTY_ROOT,
  leafHash,
  nodeHash,
  hashFromHex,
  hashToHex,
  hashEquals,
} from './hash.js';
export type { SubtreeHashes } from './subtree-store.js';
export { MemorySubtreeHashes } from './subtree-store.js';
export { rootAt, subtreeRoot } from './tree.js';
export { inclusionProof, consistencyProof } from './proofs.js';
export type { InclusionProofInput, ConsistencyProofInput } from './verify.js';
export { verifyInclusion, verifyConsistency } from './verify.js';

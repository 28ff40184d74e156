// SPDX-License-Identifier: Apache-2.0
// The port `check-transparency` reads logs through (03 §7 GETs, 03 §9 `file:` reads).

/** Why a read failed: the log could not be reached, or it refused or garbled the answer. */
export type LogReadErrorCode = 'LOG_UNAVAILABLE' | 'LOG_REJECTED';

/**
 * One transparency log as a monitor sees it. Every answer is returned unchecked, in the JSON shape
 * of 03 §7; the caller verifies it. Failures reject with a `VcError` whose code is a
 * {@link LogReadErrorCode}.
 */
export interface LogReader {
  /** The signed tree head (03 §5.1) and the checkpoint text (03 §5.2) served together. */
  readTreeHead(): Promise<{ sth: unknown; checkpoint: string }>;
  /** `{first, second, firstRootHash, secondRootHash, hashes}`. */
  readConsistencyProof(first: number, second: number): Promise<unknown>;
  /** `{logIndex, treeSize, rootHash, hashes}`. */
  readInclusionProof(logIndex: number, treeSize: number): Promise<unknown>;
  /** `{logId, logIndex, integratedTime, entryType, entry, leafHash, attestation | revocation}`. */
  readEntry(logIndex: number): Promise<unknown>;
  /** `{entries: [{logIndex, integratedTime, entryType}]}` of the revocations of `revokedDigest`. */
  findRevocations(revokedDigest: string): Promise<unknown>;
  /** Releases what the reader holds. */
  close?(): Promise<void>;
}

// SPDX-License-Identifier: Apache-2.0
// The offline part of `check-transparency` (03 §12 step 1): proofs, SETs and coverage.
import { attestationDigest, decodeStatement } from '@verified-container/shared/attestation';
import type { AttestationBundle, TrustStore } from '@verified-container/shared/attestation';
import { publicKeyFromBase64 } from '@verified-container/shared/crypto';
import {
  hashFromHex,
  hashToHex,
  leafHash,
  verifyInclusion,
} from '@verified-container/shared/merkle';
import {
  attestationLeaf,
  leafBytes,
  setInputOfEntry,
  verifySet,
  type BundleLogEntry,
} from '@verified-container/shared/tlog';

/** A failed check: the code of 03 §12 and one line for people. */
export interface TransparencyProblem {
  code: string;
  message: string;
  /** The log the problem is about (absent for coverage). */
  logId?: string;
}

/** A bundle log entry that names an attestation of the bundle and a trust-store log. */
export interface CheckedEntry {
  /** Index in `logEntries`. */
  index: number;
  /** Index of the attestation it covers. */
  attestation: number;
  entry: BundleLogEntry;
  /** Inclusion proof and SET verified with the trust-store key (04 §3 step 8). */
  verified: boolean;
}

export interface OfflineResult {
  /** Entries of trusted logs naming an attestation of the bundle, in bundle order. */
  entries: CheckedEntry[];
  /** `sha256:` digest of every attestation, in bundle order. */
  attestationDigests: string[];
  /** Trust-store logs named by at least one counted entry, sorted. */
  logIds: string[];
  consensus: { required: number; have: number; met: boolean };
  /** `LOG_PROOF_INVALID` per entry, then `INSUFFICIENT_LOG_COVERAGE` per attestation. */
  errors: TransparencyProblem[];
  warnings: string[];
}

/**
 * 03 §12 step 1, pure: every entry naming an attestation of the bundle and a trust-store log is
 * checked as in 04 §3 step 8 (index, leaf rebuilt with the entry's time, inclusion proof, SET by
 * the trust-store key). Consensus counts, per attestation, the distinct logs with a verified entry
 * (03 §11); fewer than `quorum` → `INSUFFICIENT_LOG_COVERAGE`. Entries of unknown logs or naming no
 * attestation of the bundle are ignored with a warning.
 */
export function checkOffline(
  bundle: AttestationBundle,
  store: TrustStore,
  quorum: number,
): OfflineResult {
  const digests = bundle.attestations.map((e) => attestationDigest(e));
  const errors: TransparencyProblem[] = [];
  const warnings: string[] = [];
  const entries: CheckedEntry[] = [];
  bundle.logEntries.forEach((entry, index) => {
    if (entry.attestationDigest === undefined) {
      warnings.push(`log entry ${index} has no attestationDigest (ignored)`);
      return;
    }
    const attestation = digests.indexOf(entry.attestationDigest);
    if (attestation < 0) {
      warnings.push(`log entry ${index} names no attestation of this bundle (ignored)`);
      return;
    }
    const log = store.logs[entry.logId];
    if (log === undefined || !Object.hasOwn(store.logs, entry.logId)) {
      warnings.push(
        `log entry ${index} is from log ${entry.logId}, which is not in the trust store (ignored)`,
      );
      return;
    }
    const problem = entryProblem(
      bundle.attestations[attestation] as AttestationBundle['attestations'][number],
      entry,
      log.publicKey,
    );
    if (problem !== undefined) {
      errors.push({
        code: 'LOG_PROOF_INVALID',
        logId: entry.logId,
        message: `log entry ${index} (#${entry.logIndex}): ${problem}`,
      });
    }
    entries.push({ index, attestation, entry, verified: problem === undefined });
  });

  let have = Number.POSITIVE_INFINITY;
  digests.forEach((_, i) => {
    const logs = new Set(
      entries.filter((e) => e.attestation === i && e.verified).map((e) => e.entry.logId),
    ).size;
    have = Math.min(have, logs);
    if (logs >= quorum) return;
    const type = decodeStatement(
      bundle.attestations[i] as AttestationBundle['attestations'][number],
      '$',
    ).statement?.predicateType;
    errors.push({
      code: 'INSUFFICIENT_LOG_COVERAGE',
      message: `attestation ${i}${type !== undefined ? ` (${type})` : ''} is in ${logs} ${logs === 1 ? 'log' : 'logs'} with a valid proof, ${quorum} required`,
    });
  });
  const haveCount = Number.isFinite(have) ? have : 0;
  return {
    entries,
    attestationDigests: digests,
    logIds: [...new Set(entries.map((e) => e.entry.logId))].sort(),
    consensus: { required: quorum, have: haveCount, met: haveCount >= quorum },
    errors,
    warnings,
  };
}

/** 04 §3 step 8 for one entry: why it fails, or undefined when proof and SET verify. */
function entryProblem(
  envelope: AttestationBundle['attestations'][number],
  entry: BundleLogEntry,
  logPublicKey: string,
): string | undefined {
  const proof = entry.inclusionProof;
  if (proof.logIndex !== entry.logIndex) {
    return `inclusionProof.logIndex ${proof.logIndex} is not the entry's logIndex ${entry.logIndex}`;
  }
  let leaf: Uint8Array;
  try {
    leaf = leafHash(leafBytes(attestationLeaf(envelope, entry.integratedTime)));
  } catch {
    return 'the attestation does not decode to a statement, so its leaf cannot be rebuilt';
  }
  const root = hashFromHex(proof.rootHash);
  const hashes = proof.hashes.map((h) => hashFromHex(h));
  if (root === null || hashes.some((h) => h === null)) return 'a proof hash is not 64 hex';
  const included = verifyInclusion({
    index: entry.logIndex,
    treeSize: proof.treeSize,
    leafHash: leaf,
    hashes: hashes as Uint8Array[],
    rootHash: root,
  });
  if (!included) {
    return `the inclusion proof does not lead to root ${hashToHex(root)} at tree size ${proof.treeSize}`;
  }
  let key;
  try {
    key = publicKeyFromBase64(logPublicKey);
  } catch {
    return 'the trust-store key of the log is not an Ed25519 key';
  }
  return verifySet(key, setInputOfEntry(entry, hashToHex(leaf)), entry.signedEntryTimestamp)
    ? undefined
    : 'the signed entry timestamp does not verify with the log key';
}

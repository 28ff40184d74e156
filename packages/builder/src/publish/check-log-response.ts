// SPDX-License-Identifier: Apache-2.0
// Checking a log's answer to a submission before accepting it (03 §10 step 3). Pure.
import { VcError } from '@verified-container/shared';
import { attestationDigest, type DsseEnvelope } from '@verified-container/shared/attestation';
import type { Ed25519PublicKey } from '@verified-container/shared/crypto';
import {
  hashFromHex,
  hashToHex,
  leafHash,
  verifyInclusion,
} from '@verified-container/shared/merkle';
import {
  attestationLeaf,
  checkLogEntry,
  leafBytes,
  setInputOfEntry,
  toBundleLogEntry,
  verifySet,
  type BundleLogEntry,
} from '@verified-container/shared/tlog';

/** The log an answer must come from. */
export interface ExpectedLog {
  readonly logId: string;
  readonly publicKey: Ed25519PublicKey;
}

/**
 * Accepts the `POST /api/v1/entries` answer (03 §7) for `envelope` from `log`, or throws
 * `LOG_PROOF_INVALID` saying what is wrong: the structure of a bundle log entry, the `logId`, the
 * `attestationDigest` against the one computed here, the inclusion of the leaf rebuilt from the
 * envelope and `integratedTime` into `rootHash` at `treeSize` (03 §6.1), and the SET under the
 * log's trust-store key (03 §4). Returns the entry as a bundle stores it (02 §11 member order).
 */
export function checkLogResponse(
  response: unknown,
  envelope: DsseEnvelope,
  log: ExpectedLog,
): BundleLogEntry {
  const invalid = (why: string) =>
    new VcError('LOG_PROOF_INVALID', `log ${log.logId} answered with ${why}`);
  const structure = checkLogEntry(response, '$');
  const first = structure.errors[0];
  if (first !== undefined) throw invalid(`a malformed entry (${first.path}: ${first.message})`);
  const entry = response as BundleLogEntry;
  if (entry.logId !== log.logId) {
    throw invalid(`the log id ${JSON.stringify(entry.logId)}`);
  }
  const digest = attestationDigest(envelope);
  if (entry.attestationDigest !== digest) {
    throw invalid(`attestationDigest ${String(entry.attestationDigest)}, expected ${digest}`);
  }
  if (entry.inclusionProof.logIndex !== entry.logIndex) {
    throw invalid('an inclusion proof for another index');
  }
  const leaf = leafHash(leafBytes(attestationLeaf(envelope, entry.integratedTime)));
  const rootHash = hashFromHex(entry.inclusionProof.rootHash);
  const hashes = entry.inclusionProof.hashes.map(hashFromHex);
  if (
    rootHash === null ||
    !hashes.every((h): h is Uint8Array => h !== null) ||
    !verifyInclusion({
      index: entry.logIndex,
      treeSize: entry.inclusionProof.treeSize,
      leafHash: leaf,
      hashes,
      rootHash,
    })
  ) {
    throw invalid('an inclusion proof that does not verify');
  }
  if (
    !verifySet(log.publicKey, setInputOfEntry(entry, hashToHex(leaf)), entry.signedEntryTimestamp)
  ) {
    throw invalid('a signed entry timestamp that does not verify with its trust-store key');
  }
  return toBundleLogEntry(pickEntry(entry));
}

/** The bundle-entry members of an answer (02 §11); other response members are not stored. */
function pickEntry(entry: BundleLogEntry): BundleLogEntry {
  const { logId, logIndex, integratedTime, inclusionProof, signedEntryTimestamp } = entry;
  const { logIndex: proofIndex, treeSize, rootHash, hashes } = inclusionProof;
  return {
    logId,
    logIndex,
    integratedTime,
    inclusionProof: { logIndex: proofIndex, treeSize, rootHash, hashes },
    signedEntryTimestamp,
    ...(entry.attestationDigest !== undefined
      ? { attestationDigest: entry.attestationDigest }
      : {}),
  };
}

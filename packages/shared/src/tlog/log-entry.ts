// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { isSha256Digest } from '../crypto/index.js';
import {
  childPath,
  isJsonHash,
  isJsonObject,
  isSafeCount,
  malformed,
} from '../attestation/check-helpers.js';
import { isLogId } from './log-id.js';
import type { SetInput } from './set.js';

/** Most hashes an inclusion proof may carry (02 §11, 03 §6.1). */
export const MAX_PROOF_HASHES = 64;

/** Warning code of an entry without `attestationDigest` (it covers nothing, 02 §11). */
export const LOG_ENTRY_NO_ATTESTATION_DIGEST = 'LOG_ENTRY_NO_ATTESTATION_DIGEST';

/** `inclusionProof` of a bundle log entry, members in the order 02 §11 writes them. */
export interface BundleInclusionProof {
  /** Equals the entry's `logIndex` (checked in 04 §3 step 8, not here). */
  logIndex: number;
  /** ≥ 1. */
  treeSize: number;
  /** 64 lowercase hex, optionally `sha256:`-prefixed. */
  rootHash: string;
  /** ≤ 64 hashes, each 64 lowercase hex, optionally `sha256:`-prefixed. */
  hashes: string[];
}

/**
 * A bundle log entry (02 §11): the log's `POST /api/v1/entries` response (03 §7) as stored in a
 * bundle. Unknown members are tolerated.
 */
export interface BundleLogEntry {
  logId: string;
  logIndex: number;
  /** RFC 3339 as the log wrote it; used verbatim in the leaf and the SET. */
  integratedTime: string;
  inclusionProof: BundleInclusionProof;
  /** Base64 Ed25519 SET (03 §4). */
  signedEntryTimestamp: string;
  /** `sha256:<hex>` of the attestation covered; an entry without it covers nothing. */
  attestationDigest?: string;
}

/**
 * Result of {@link checkLogEntry}, shaped like the `validate` output (04 §8). `errors` carry
 * `MALFORMED_BUNDLE`; `warnings` never make the entry invalid — today only
 * {@link LOG_ENTRY_NO_ATTESTATION_DIGEST}.
 */
export interface LogEntryCheck {
  errors: Problem[];
  warnings: Problem[];
}

/**
 * Structure of a bundle log entry (02 §11, 04 §3 step 3, `validate --type log-entry`), no
 * cryptography: a log id, an integer `logIndex` ≥ 0, a string `integratedTime`, an
 * `inclusionProof` object `{logIndex ≥ 0, treeSize ≥ 1, rootHash, hashes (≤ 64)}` with hex hashes
 * (a `sha256:` prefix allowed), a string `signedEntryTimestamp`, and an optional
 * `attestationDigest` of `sha256:<64 hex>`. A missing `attestationDigest` is a warning.
 */
export function checkLogEntry(value: unknown, path: string): LogEntryCheck {
  const problems: Problem[] = [];
  const warnings: Problem[] = [];
  if (!isJsonObject(value)) {
    return { errors: [malformed(path, 'a log entry must be an object')], warnings };
  }
  if (!isLogId(value.logId)) {
    problems.push(malformed(childPath(path, 'logId'), 'logId must be a log id (03 §1)'));
  }
  if (!isSafeCount(value.logIndex, 0)) {
    problems.push(malformed(childPath(path, 'logIndex'), 'logIndex must be an integer ≥ 0'));
  }
  if (typeof value.integratedTime !== 'string') {
    problems.push(malformed(childPath(path, 'integratedTime'), 'integratedTime must be a string'));
  }
  problems.push(...checkInclusionProof(value.inclusionProof, childPath(path, 'inclusionProof')));
  if (typeof value.signedEntryTimestamp !== 'string') {
    problems.push(
      malformed(childPath(path, 'signedEntryTimestamp'), 'signedEntryTimestamp must be a string'),
    );
  }
  const digestPath = childPath(path, 'attestationDigest');
  if (value.attestationDigest === undefined) {
    warnings.push({
      code: LOG_ENTRY_NO_ATTESTATION_DIGEST,
      path: digestPath,
      message: 'the entry has no attestationDigest, so it covers no attestation',
    });
  } else if (
    typeof value.attestationDigest !== 'string' ||
    !isSha256Digest(value.attestationDigest)
  ) {
    problems.push(malformed(digestPath, 'attestationDigest must be sha256:<64 lowercase hex>'));
  }
  return { errors: problems, warnings };
}

function checkInclusionProof(value: unknown, path: string): Problem[] {
  if (!isJsonObject(value)) return [malformed(path, 'inclusionProof must be an object')];
  const problems: Problem[] = [];
  if (!isSafeCount(value.logIndex, 0)) {
    problems.push(malformed(childPath(path, 'logIndex'), 'logIndex must be an integer ≥ 0'));
  }
  if (!isSafeCount(value.treeSize, 1)) {
    problems.push(malformed(childPath(path, 'treeSize'), 'treeSize must be an integer ≥ 1'));
  }
  if (!isJsonHash(value.rootHash)) {
    problems.push(malformed(childPath(path, 'rootHash'), 'rootHash must be 64 lowercase hex'));
  }
  const hashes = value.hashes;
  if (!Array.isArray(hashes)) {
    problems.push(malformed(childPath(path, 'hashes'), 'hashes must be an array'));
    return problems;
  }
  if (hashes.length > MAX_PROOF_HASHES) {
    problems.push(
      malformed(childPath(path, 'hashes'), `a proof has at most ${MAX_PROOF_HASHES} hashes`),
    );
  }
  hashes.forEach((hash: unknown, i) => {
    if (!isJsonHash(hash)) {
      problems.push(malformed(childPath(path, 'hashes', i), 'a hash must be 64 lowercase hex'));
    }
  });
  return problems;
}

/**
 * The entry with members in the order of 02 §11 (`inclusionProof` as `logIndex, treeSize,
 * rootHash, hashes`), unknown members after the known ones: how a log response (03 §7) is stored.
 */
export function toBundleLogEntry(entry: BundleLogEntry): BundleLogEntry {
  const {
    logId,
    logIndex,
    integratedTime,
    inclusionProof,
    signedEntryTimestamp,
    attestationDigest,
    ...rest
  } = entry;
  const { logIndex: proofIndex, treeSize, rootHash, hashes, ...proofRest } = inclusionProof;
  return {
    logId,
    logIndex,
    integratedTime,
    inclusionProof: { logIndex: proofIndex, treeSize, rootHash, hashes, ...proofRest },
    signedEntryTimestamp,
    ...(attestationDigest !== undefined ? { attestationDigest } : {}),
    ...rest,
  };
}

/**
 * What the entry's SET signs (03 §4), given the leaf hash the verifier rebuilt (04 §3 step 8):
 * the tree size and root come from the entry's inclusion proof.
 */
export function setInputOfEntry(entry: BundleLogEntry, leafHash: string): SetInput {
  return {
    logId: entry.logId,
    logIndex: entry.logIndex,
    integratedTime: entry.integratedTime,
    leafHash,
    treeSize: entry.inclusionProof.treeSize,
    rootHash: entry.inclusionProof.rootHash,
  };
}

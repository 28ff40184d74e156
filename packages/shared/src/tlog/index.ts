// SPDX-License-Identifier: Apache-2.0

// Transparency-log formats (03 §1–§5, 02 §11): pure, no storage and no HTTP.
export { LOG_ID_PATTERN, isLogId } from './log-id.js';
export type { Revocation, RevocationReason, DecodedRevocation } from './revocation.js';
export {
  REVOCATION_PAYLOAD_TYPE,
  REVOCATION_REASONS,
  isRevocationReason,
  checkRevocation,
  decodeRevocation,
} from './revocation.js';
export type {
  TlogEntryType,
  TlogLeaf,
  AttestationLeaf,
  RevocationLeaf,
  AttestationLeafBody,
  RevocationLeafBody,
} from './leaf.js';
export { attestationLeaf, revocationLeaf, leafBytes, checkTlogLeaf } from './leaf.js';
export type { SetInput } from './set.js';
export { setSigningInput, signSet, verifySet } from './set.js';
export type { TreeHead, SignedTreeHead } from './tree-head.js';
export { treeHeadSigningInput, signTreeHead, verifyTreeHead, checkTreeHead } from './tree-head.js';
export type {
  Checkpoint,
  NoteSignature,
  ParsedCheckpoint,
  CheckpointVerification,
} from './checkpoint.js';
export {
  CHECKPOINT_MAX_BYTES,
  CHECKPOINT_MAX_SIGNATURES,
  noteKeyId,
  noteVerifierKey,
  formatCheckpoint,
  parseCheckpoint,
  verifyCheckpoint,
} from './checkpoint.js';
export type { BundleLogEntry, BundleInclusionProof, LogEntryCheck } from './log-entry.js';
export {
  MAX_PROOF_HASHES,
  LOG_ENTRY_NO_ATTESTATION_DIGEST,
  checkLogEntry,
  toBundleLogEntry,
  setInputOfEntry,
} from './log-entry.js';

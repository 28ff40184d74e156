// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { isRfc3339 } from '../time/rfc3339.js';
import {
  decodeBase64,
  encodeBase64,
  signBytes,
  verifyBytes,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
} from '../crypto/index.js';
import { canonicalBytes } from '../json/index.js';
import {
  childPath,
  isJsonHash,
  isJsonObject,
  isSafeCount,
  malformed,
} from '../attestation/check-helpers.js';
import { bareHashHex } from './hash-hex.js';
import { isLogId } from './log-id.js';

export interface TreeHead {
  logId: string;
  treeSize: number;
  /** RFC 3339 UTC time of the head. */
  timestamp: string;
  /** Hex root hash (a `sha256:` prefix is accepted when reading). */
  rootHash: string;
}

/** JSON signed tree head (03 §5.1). */
export interface SignedTreeHead extends TreeHead {
  /** Base64 Ed25519 signature over {@link treeHeadSigningInput}. */
  signature: string;
}

/**
 * The bytes an STH signs: JCS of `{logId, treeSize, timestamp, rootHash}` with a bare hex root.
 * Throws `INVALID_ARGUMENT` for a root that is not 64 lowercase hex.
 */
export function treeHeadSigningInput(head: TreeHead): Uint8Array {
  return canonicalBytes({
    logId: head.logId,
    treeSize: head.treeSize,
    timestamp: head.timestamp,
    rootHash: bareHashHex(head.rootHash, 'rootHash'),
  });
}

/** Signs a tree head; members in the order of 03 §5.1. */
export function signTreeHead(logKey: Ed25519PrivateKey, head: TreeHead): SignedTreeHead {
  return {
    logId: head.logId,
    treeSize: head.treeSize,
    timestamp: head.timestamp,
    rootHash: bareHashHex(head.rootHash, 'rootHash'),
    signature: encodeBase64(signBytes(logKey, treeHeadSigningInput(head))),
  };
}

/** True when the STH's signature is the log key's over its other members; never throws. */
export function verifyTreeHead(logPublicKey: Ed25519PublicKey, sth: SignedTreeHead): boolean {
  const signature = decodeBase64(sth.signature);
  if (signature === null) return false;
  let message: Uint8Array;
  try {
    message = treeHeadSigningInput(sth);
  } catch {
    return false;
  }
  return verifyBytes(logPublicKey, message, signature);
}

/**
 * Structure of an STH (`validate --type signed-tree-head`), no cryptography: a log id, an integer
 * `treeSize` ≥ 0, an RFC 3339 `timestamp`, a hex `rootHash`, a string `signature` — all
 * `MALFORMED_BUNDLE` — and then `LOG_PROOF_INVALID` when the signature does not decode to 64 bytes.
 */
export function checkTreeHead(value: unknown, path: string): Problem[] {
  if (!isJsonObject(value)) return [malformed(path, 'a signed tree head must be an object')];
  const problems: Problem[] = [];
  if (!isLogId(value.logId)) {
    problems.push(malformed(childPath(path, 'logId'), 'logId must be a log id (03 §1)'));
  }
  if (!isSafeCount(value.treeSize, 0)) {
    problems.push(malformed(childPath(path, 'treeSize'), 'treeSize must be an integer ≥ 0'));
  }
  if (typeof value.timestamp !== 'string' || !isRfc3339(value.timestamp)) {
    problems.push(malformed(childPath(path, 'timestamp'), 'timestamp must be an RFC 3339 time'));
  }
  if (!isJsonHash(value.rootHash)) {
    problems.push(malformed(childPath(path, 'rootHash'), 'rootHash must be 64 lowercase hex'));
  }
  if (typeof value.signature !== 'string') {
    problems.push(malformed(childPath(path, 'signature'), 'signature must be a string'));
  } else {
    const signature = decodeBase64(value.signature);
    if (signature === null || signature.byteLength !== 64) {
      problems.push({
        code: 'LOG_PROOF_INVALID',
        path: childPath(path, 'signature'),
        message: 'signature must be base64 of a 64-byte Ed25519 signature',
      });
    }
  }
  return problems;
}

// SPDX-License-Identifier: Apache-2.0
import {
  decodeBase64,
  encodeBase64,
  signBytes,
  verifyBytes,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
} from '../crypto/index.js';
import { canonicalBytes } from '../json/index.js';
import { bareHashHex } from './hash-hex.js';

/** What a signed entry timestamp binds (03 §4). */
export interface SetInput {
  logId: string;
  logIndex: number;
  /** The entry's integratedTime, verbatim. */
  integratedTime: string;
  /** Hex leaf hash (a `sha256:` prefix is accepted and dropped). */
  leafHash: string;
  /** Size of the tree right after the entry was appended (or the current one, for a duplicate). */
  treeSize: number;
  /** Hex root of that tree (a `sha256:` prefix is accepted and dropped). */
  rootHash: string;
}

/**
 * The bytes a SET signs (03 §4): JCS of `{logId, logIndex, integratedTime, leafHash, treeSize,
 * rootHash}` with bare hex hashes. Throws `INVALID_ARGUMENT` when a hash is not 64 lowercase hex.
 */
export function setSigningInput(input: SetInput): Uint8Array {
  return canonicalBytes({
    logId: input.logId,
    logIndex: input.logIndex,
    integratedTime: input.integratedTime,
    leafHash: bareHashHex(input.leafHash, 'leafHash'),
    treeSize: input.treeSize,
    rootHash: bareHashHex(input.rootHash, 'rootHash'),
  });
}

/** The SET of an entry: base64 of the log key's Ed25519 signature over {@link setSigningInput}. */
export function signSet(logKey: Ed25519PrivateKey, input: SetInput): string {
  return encodeBase64(signBytes(logKey, setSigningInput(input)));
}

/** True when `setBase64` is the log key's signature over the input; never throws. */
export function verifySet(
  logPublicKey: Ed25519PublicKey,
  input: SetInput,
  setBase64: string,
): boolean {
  const signature = decodeBase64(setBase64);
  if (signature === null) return false;
  let message: Uint8Array;
  try {
    message = setSigningInput(input);
  } catch {
    return false;
  }
  return verifyBytes(logPublicKey, message, signature);
}

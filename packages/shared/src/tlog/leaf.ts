// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { isRfc3339 } from '../time/rfc3339.js';
import { VcError } from '../errors.js';
import { isSha256Digest } from '../crypto/index.js';
import { canonicalBytes } from '../json/index.js';
import { attestationDigest, type DsseEnvelope } from '../attestation/dsse.js';
import { decodeStatement } from '../attestation/statement.js';
import { childPath, isJsonObject, malformed } from '../attestation/check-helpers.js';
import { decodeRevocation, isRevocationReason, type RevocationReason } from './revocation.js';

export type TlogEntryType = 'attestation' | 'revocation';

/** Body of an attestation leaf (03 §3). */
export interface AttestationLeafBody {
  /** `sha256:` + hex(sha256(JCS(envelope))) (02 §7). */
  attestationDigest: string;
  /** `sha256:` + the first subject's `digest.sha256`. */
  subjectDigest: string;
  predicateType: string;
}

/** Body of a revocation leaf (03 §3.2). */
export interface RevocationLeafBody {
  /** `sha256:` + hex(sha256(JCS(revocation envelope))). */
  revocationDigest: string;
  revokedDigest: string;
  reason: RevocationReason;
  revokedBy: string;
}

interface LeafCommon {
  version: 1;
  /** The entry's integratedTime, verbatim. */
  timestamp: string;
}
export interface AttestationLeaf extends LeafCommon {
  entryType: 'attestation';
  body: AttestationLeafBody;
}
export interface RevocationLeaf extends LeafCommon {
  entryType: 'revocation';
  body: RevocationLeafBody;
}

/** A log leaf (03 §3); its JCS bytes are what the Merkle tree hashes. */
export type TlogLeaf = AttestationLeaf | RevocationLeaf;

/**
 * The leaf of an attestation (03 §3), as a log builds it at submission and a verifier rebuilds it
 * (04 §3 step 8) from the envelope in the bundle and the entry's `integratedTime` (used verbatim).
 * The digest covers the envelope as given, unknown members included. Throws `MALFORMED_BUNDLE`
 * (with `errors`) when the payload is not an in-toto statement.
 */
export function attestationLeaf(envelope: DsseEnvelope, integratedTime: string): AttestationLeaf {
  const { statement, problems } = decodeStatement(envelope, '$');
  const subject = statement?.subject[0];
  if (statement === undefined || subject === undefined) {
    throw new VcError('MALFORMED_BUNDLE', 'the envelope does not hold an in-toto statement', {
      errors: problems,
    });
  }
  return {
    version: 1,
    timestamp: integratedTime,
    entryType: 'attestation',
    body: {
      attestationDigest: attestationDigest(envelope),
      subjectDigest: `sha256:${subject.digest.sha256}`,
      predicateType: statement.predicateType,
    },
  };
}

/**
 * The leaf of a revocation envelope (03 §3.2). Throws `MALFORMED_BUNDLE` (with `errors`) when the
 * payload is not a revocation; signatures are not checked.
 */
export function revocationLeaf(envelope: DsseEnvelope, integratedTime: string): RevocationLeaf {
  const { revocation, problems } = decodeRevocation(envelope, '$');
  if (revocation === undefined) {
    throw new VcError('MALFORMED_BUNDLE', 'the envelope does not hold a revocation', {
      errors: problems,
    });
  }
  return {
    version: 1,
    timestamp: integratedTime,
    entryType: 'revocation',
    body: {
      revocationDigest: attestationDigest(envelope),
      revokedDigest: revocation.revokedDigest,
      reason: revocation.reason,
      revokedBy: revocation.revokedBy,
    },
  };
}

/** Leaf bytes (03 §3): the JCS of the leaf object. The leaf hash is SHA-256(0x00 ‖ these). */
export function leafBytes(leaf: TlogLeaf): Uint8Array {
  return canonicalBytes(leaf);
}

/**
 * Structure of a leaf object (03 §3; `validate --type tlog-entry`): `version` 1, an RFC 3339
 * `timestamp`, `entryType` and a body with the members of its type (digests `sha256:<64 hex>`).
 * Unknown members are tolerated. Problems carry `MALFORMED_BUNDLE`.
 */
export function checkTlogLeaf(value: unknown, path: string): Problem[] {
  if (!isJsonObject(value)) return [malformed(path, 'a log leaf must be an object')];
  const problems: Problem[] = [];
  if (value.version !== 1)
    problems.push(malformed(childPath(path, 'version'), 'version must be 1'));
  if (typeof value.timestamp !== 'string' || !isRfc3339(value.timestamp)) {
    problems.push(malformed(childPath(path, 'timestamp'), 'timestamp must be an RFC 3339 time'));
  }
  const bodyPath = childPath(path, 'body');
  const entryType = value.entryType;
  if (entryType !== 'attestation' && entryType !== 'revocation') {
    problems.push(
      malformed(childPath(path, 'entryType'), 'entryType must be "attestation" or "revocation"'),
    );
    if (!isJsonObject(value.body)) problems.push(malformed(bodyPath, 'body must be an object'));
    return problems;
  }
  const body = value.body;
  if (!isJsonObject(body)) {
    problems.push(malformed(bodyPath, 'body must be an object'));
    return problems;
  }
  const digest = (name: string) => {
    const v = body[name];
    if (typeof v !== 'string' || !isSha256Digest(v)) {
      problems.push(malformed(childPath(bodyPath, name), `${name} must be sha256:<64 hex>`));
    }
  };
  switch (entryType) {
    case 'attestation':
      digest('attestationDigest');
      digest('subjectDigest');
      if (typeof body.predicateType !== 'string') {
        problems.push(
          malformed(childPath(bodyPath, 'predicateType'), 'predicateType must be a string'),
        );
      }
      break;
    case 'revocation':
      digest('revocationDigest');
      digest('revokedDigest');
      if (!isRevocationReason(body.reason)) {
        problems.push(
          malformed(childPath(bodyPath, 'reason'), 'reason is not a revocation reason'),
        );
      }
      digest('revokedBy');
      break;
  }
  return problems;
}

// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { isRfc3339 } from '../time/rfc3339.js';
import { isSha256Digest } from '../crypto/index.js';
import type { DsseEnvelope } from '../attestation/dsse.js';
import {
  childPath,
  decodePayloadJson,
  isJsonObject,
  malformed,
} from '../attestation/check-helpers.js';

/** payloadType of a revocation envelope (03 §3.2). */
export const REVOCATION_PAYLOAD_TYPE = 'application/vnd.verified-container.revocation+json';

export const REVOCATION_REASONS = [
  'key_compromise',
  'superseded',
  'affiliation_changed',
  'cessation',
  'privilege_withdrawn',
  'unspecified',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** The payload of a revocation envelope (03 §3.2), signed by `revokedBy`. */
export interface Revocation {
  /** `sha256:…` of an attestation or an image. */
  revokedDigest: string;
  reason: RevocationReason;
  /** Key id (02 §8) of the signer. */
  revokedBy: string;
  /** RFC 3339 time. */
  revokedAt: string;
}

const reasons: ReadonlySet<string> = new Set(REVOCATION_REASONS);

export function isRevocationReason(value: unknown): value is RevocationReason {
  return typeof value === 'string' && reasons.has(value);
}

/**
 * Structure of a revocation payload (03 §3.2): the four members with their types; a key id is
 * `sha256:<64 hex>`. Unknown members are tolerated. Problems carry `MALFORMED_BUNDLE`.
 */
export function checkRevocation(value: unknown, path: string): Problem[] {
  if (!isJsonObject(value)) return [malformed(path, 'a revocation must be an object')];
  const problems: Problem[] = [];
  if (typeof value.revokedDigest !== 'string' || !isSha256Digest(value.revokedDigest)) {
    problems.push(
      malformed(childPath(path, 'revokedDigest'), 'revokedDigest must be sha256:<64 hex>'),
    );
  }
  if (!isRevocationReason(value.reason)) {
    problems.push(
      malformed(
        childPath(path, 'reason'),
        `reason must be one of ${REVOCATION_REASONS.join(', ')}`,
      ),
    );
  }
  if (typeof value.revokedBy !== 'string' || !isSha256Digest(value.revokedBy)) {
    problems.push(
      malformed(childPath(path, 'revokedBy'), 'revokedBy must be a key id (sha256:<64 hex>)'),
    );
  }
  if (typeof value.revokedAt !== 'string' || !isRfc3339(value.revokedAt)) {
    problems.push(malformed(childPath(path, 'revokedAt'), 'revokedAt must be an RFC 3339 time'));
  }
  return problems;
}

/** Result of {@link decodeRevocation}: `revocation` is set iff `problems` is empty. */
export interface DecodedRevocation {
  revocation?: Revocation;
  payloadBytes?: Uint8Array;
  problems: Problem[];
}

/**
 * Decodes a revocation envelope's payload: payloadType {@link REVOCATION_PAYLOAD_TYPE}, base64 →
 * strict JSON → {@link checkRevocation}. `path` is the envelope's; problems inside the payload are
 * reported below `<path>.payload`. No signature is checked (logs check structure only).
 */
export function decodeRevocation(
  envelope: Pick<DsseEnvelope, 'payloadType' | 'payload'>,
  path: string,
): DecodedRevocation {
  if (envelope.payloadType !== REVOCATION_PAYLOAD_TYPE) {
    return {
      problems: [
        malformed(
          childPath(path, 'payloadType'),
          `payloadType must be ${JSON.stringify(REVOCATION_PAYLOAD_TYPE)} for a revocation`,
        ),
      ],
    };
  }
  const payloadPath = childPath(path, 'payload');
  const decoded = decodePayloadJson(envelope.payload, payloadPath);
  if ('problems' in decoded) return { problems: decoded.problems };
  const problems = checkRevocation(decoded.value, payloadPath);
  if (problems.length > 0) return { problems };
  return { revocation: decoded.value as Revocation, payloadBytes: decoded.bytes, problems: [] };
}

// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import {
  attestationDigest,
  checkEnvelope,
  decodeStatement,
  type DsseEnvelope,
} from '@verified-container/shared/attestation';
import { decodeBase64 } from '@verified-container/shared/crypto';
import { isJsonObject } from '@verified-container/shared/attestation';
import { parseJson } from '@verified-container/shared/json';
import { decodeRevocation, type TlogEntryType } from '@verified-container/shared/tlog';

/** JSON nesting limit of the log API (03 §7). */
export const LOG_MAX_JSON_DEPTH = 64;

/** A checked submission (03 §7 POST rules): the envelope bytes exactly as received, parsed. */
export interface Submission {
  entryType: TlogEntryType;
  /** The envelope JSON bytes as submitted (stored and served verbatim). */
  envelopeBytes: Uint8Array;
  envelope: DsseEnvelope;
  /** `attestationDigest` or `revocationDigest`: `sha256:` + hex(sha256(JCS(envelope))). */
  digest: string;
}

function bad(message: string): VcError {
  return new VcError('LOG_BAD_REQUEST', message, {
    hint: 'send {"attestation":"<base64 of the DSSE envelope JSON>"} (03 §7)',
  });
}

/**
 * Checks a submitted envelope (03 §7): strict JSON, a DSSE envelope with 1–64 signatures of 64
 * bytes, and a payload that is an in-toto statement with a sha256 subject (attestation) or a
 * revocation (§3.2). No signature is verified. Throws `LOG_BAD_REQUEST`.
 */
export function checkSubmission(entryType: TlogEntryType, envelopeBytes: Uint8Array): Submission {
  let value: unknown;
  try {
    value = parseJson(envelopeBytes, { maxDepth: LOG_MAX_JSON_DEPTH });
  } catch (cause) {
    throw bad(`${entryType}: the envelope is not strict JSON: ${(cause as Error).message}`);
  }
  const problems = checkEnvelope(value, '$');
  if (problems.length > 0) {
    const first = problems[0];
    throw bad(`${entryType}: ${first?.path ?? '$'}: ${first?.message ?? 'invalid envelope'}`);
  }
  const envelope = value as DsseEnvelope;
  const decoded =
    entryType === 'attestation' ? decodeStatement(envelope, '$') : decodeRevocation(envelope, '$');
  const first = decoded.problems[0];
  if (first !== undefined) {
    throw bad(`${entryType}: ${first.path ?? '$'}: ${first.message}`);
  }
  return { entryType, envelopeBytes, envelope, digest: attestationDigest(envelope) };
}

/**
 * Parses the body of `POST /api/v1/entries` (03 §7): strict JSON object with exactly one of
 * `attestation`/`revocation`, a base64 string, then {@link checkSubmission}.
 */
export function parseSubmissionBody(body: Uint8Array): Submission {
  let value: unknown;
  try {
    value = parseJson(body, { maxDepth: LOG_MAX_JSON_DEPTH });
  } catch (cause) {
    throw bad(`the request body is not strict JSON: ${(cause as Error).message}`);
  }
  if (!isJsonObject(value)) throw bad('the request body must be a JSON object');
  const keys = Object.keys(value);
  if (keys.length !== 1 || (keys[0] !== 'attestation' && keys[0] !== 'revocation')) {
    throw bad('the request body must have exactly one member, "attestation" or "revocation"');
  }
  const entryType = keys[0];
  const text = value[entryType];
  const bytes = typeof text === 'string' ? decodeBase64(text) : null;
  if (bytes === null) throw bad(`${entryType} must be a base64 string`);
  return checkSubmission(entryType, bytes);
}

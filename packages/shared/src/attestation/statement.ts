// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { VcError } from '../errors.js';
import { sha256HexOf } from '../crypto/index.js';
import { childPath, decodePayloadJson, HEX64, isJsonObject, malformed } from './check-helpers.js';
import { IN_TOTO_PAYLOAD_TYPE, type DsseEnvelope } from './dsse.js';

/** `_type` of an in-toto Statement v1 (02 §4). */
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/** Predicate types of 02 §4. */
export const SLSA_PROVENANCE_PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';
export const SPDX_PREDICATE_TYPE = 'https://spdx.dev/Document';
export const FILE_INTEGRITY_PREDICATE_TYPE =
  'https://verified-container.org/attestation/file-integrity/v1';
export const VULNERABILITY_SCAN_PREDICATE_TYPE =
  'https://verified-container.org/attestation/vulnerability-scan/v1';

export interface StatementSubject {
  /** `<name>:<version>`; producers always write it, verifiers do not require it (02 §4). */
  name?: string;
  /** `sha256` is 64 lowercase hex (bare, no `sha256:` prefix). */
  digest: { sha256: string } & Record<string, string>;
}

/** An in-toto Statement v1 as 02 §4 checks it. Unknown members are tolerated. */
export interface Statement<P extends object = Record<string, unknown>> {
  _type: typeof IN_TOTO_STATEMENT_TYPE;
  subject: StatementSubject[];
  predicateType: string;
  predicate: P;
}

/**
 * Builds the statement producers emit: exactly one subject (02 §4). `digestHex` is the image
 * digest as 64 hex (a `sha256:` prefix and uppercase are accepted and normalised); anything else
 * throws `INVALID_ARGUMENT`.
 */
export function makeStatement<P extends object>(
  subjectName: string,
  digestHex: string,
  predicateType: string,
  predicate: P,
): Statement<P> {
  const hex = sha256HexOf(digestHex);
  if (hex === null) {
    throw new VcError('INVALID_ARGUMENT', `not a sha256 digest: ${JSON.stringify(digestHex)}`);
  }
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: subjectName, digest: { sha256: hex } }],
    predicateType,
    predicate,
  };
}

/**
 * The verifier rules of 02 §4: `_type` exact; a non-empty `subject` array whose every item has
 * `digest.sha256` of 64 lowercase hex; a string `predicateType`; an object `predicate`. Every
 * problem has code `MALFORMED_BUNDLE`; `path` is the statement's JSONPath (`$` standalone).
 */
export function checkStatement(value: unknown, path: string): Problem[] {
  if (!isJsonObject(value)) return [malformed(path, 'a statement must be an object')];
  const problems: Problem[] = [];
  if (value._type !== IN_TOTO_STATEMENT_TYPE) {
    problems.push(
      malformed(
        childPath(path, '_type'),
        `_type must be ${JSON.stringify(IN_TOTO_STATEMENT_TYPE)}`,
      ),
    );
  }
  const subject = value.subject;
  const subjectPath = childPath(path, 'subject');
  if (!Array.isArray(subject)) {
    problems.push(malformed(subjectPath, 'subject must be an array'));
  } else if (subject.length === 0) {
    problems.push(malformed(subjectPath, 'subject must not be empty'));
  } else {
    subject.forEach((item: unknown, i) => {
      const itemPath = childPath(subjectPath, i);
      if (!isJsonObject(item)) {
        problems.push(malformed(itemPath, 'a subject must be an object'));
      } else if (!isJsonObject(item.digest)) {
        problems.push(malformed(childPath(itemPath, 'digest'), 'digest must be an object'));
      } else if (typeof item.digest.sha256 !== 'string' || !HEX64.test(item.digest.sha256)) {
        problems.push(
          malformed(
            childPath(itemPath, 'digest', 'sha256'),
            'digest.sha256 must be 64 lowercase hex characters',
          ),
        );
      }
    });
  }
  if (typeof value.predicateType !== 'string') {
    problems.push(malformed(childPath(path, 'predicateType'), 'predicateType must be a string'));
  }
  if (!isJsonObject(value.predicate)) {
    problems.push(malformed(childPath(path, 'predicate'), 'predicate must be an object'));
  }
  return problems;
}

/** Result of {@link decodeStatement}: `statement` and `payloadBytes` are set iff `problems` is empty. */
export interface DecodedStatement {
  statement?: Statement;
  /** The decoded payload bytes, as received (what signatures and digests are taken over). */
  payloadBytes?: Uint8Array;
  problems: Problem[];
}

/**
 * Decodes an envelope's statement (04 §3 step 5): payloadType must be the in-toto type, then
 * base64 → bytes → strict JSON (02 §1: duplicate names, non-integer numbers, lone surrogates, BOM
 * rejected) → {@link checkStatement}. Problems carry `MALFORMED_BUNDLE`; `path` is the envelope's,
 * and problems inside the statement are reported below `<path>.payload`
 * (`$.attestations[0].payload.subject[0].digest.sha256`).
 */
export function decodeStatement(
  envelope: Pick<DsseEnvelope, 'payloadType' | 'payload'>,
  path: string,
): DecodedStatement {
  const payloadPath = childPath(path, 'payload');
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return {
      problems: [
        malformed(
          childPath(path, 'payloadType'),
          `payloadType must be ${JSON.stringify(IN_TOTO_PAYLOAD_TYPE)} for a statement`,
        ),
      ],
    };
  }
  const decoded = decodePayloadJson(envelope.payload, payloadPath);
  if ('problems' in decoded) return { problems: decoded.problems };
  const problems = checkStatement(decoded.value, payloadPath);
  if (problems.length > 0) return { problems };
  return { statement: decoded.value as Statement, payloadBytes: decoded.bytes, problems: [] };
}

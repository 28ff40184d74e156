// SPDX-License-Identifier: Apache-2.0
import type { Problem } from '../errors.js';
import { VcError } from '../errors.js';
import { canonicalBytes } from '../json/index.js';
import {
  decodeBase64,
  encodeBase64,
  sha256Digest,
  signBytes,
  verifyBytes,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
} from '../crypto/index.js';
import { childPath, isJsonObject, malformed } from './check-helpers.js';

/** payloadType of an in-toto statement (02 §7). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** Most signatures an envelope may carry (02 §7, 04 §3 step 3). */
export const DSSE_MAX_SIGNATURES = 64;

/** Length of an Ed25519 signature in bytes. */
const SIGNATURE_BYTES = 64;

export interface DsseSignature {
  /** Key id of the signer (02 §8): `sha256:` + hex of sha256(SPKI DER). */
  keyid: string;
  /** Base64 of the 64-byte Ed25519 signature over the PAE. */
  sig: string;
}

/**
 * A DSSE envelope (02 §7). Envelopes read from a bundle may carry unknown members; they are kept
 * (spread) by {@link addSignature} and are part of the {@link attestationDigest}.
 */
export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the payload bytes (for statements: the JCS bytes). */
  payload: string;
  signatures: DsseSignature[];
}

const encoder = new TextEncoder();

/**
 * DSSE pre-authentication encoding (02 §7):
 * `"DSSEv1" SP LEN(type) SP type SP LEN(body) SP body`, LEN the UTF-8 byte length in decimal.
 */
export function pae(payloadType: string, body: Uint8Array): Uint8Array {
  const type = encoder.encode(payloadType);
  const head = encoder.encode(`DSSEv1 ${type.byteLength} ${payloadType} ${body.byteLength} `);
  const out = new Uint8Array(head.byteLength + body.byteLength);
  out.set(head, 0);
  out.set(body, head.byteLength);
  return out;
}

/**
 * Signs a payload into a new envelope with one signature. An object is serialised as JCS (what
 * producers MUST write, 02 §7); bytes are taken as they are.
 */
export function signEnvelope(
  statementOrPayloadBytes: object | Uint8Array,
  key: Ed25519PrivateKey,
  payloadType: string = IN_TOTO_PAYLOAD_TYPE,
): DsseEnvelope {
  const body =
    statementOrPayloadBytes instanceof Uint8Array
      ? statementOrPayloadBytes
      : canonicalBytes(statementOrPayloadBytes);
  return {
    payloadType,
    payload: encodeBase64(body),
    signatures: [signatureOver(payloadType, body, key)],
  };
}

/**
 * Appends `key`'s signature over the existing payload's PAE (02 §10). An envelope that already has a
 * signature with the key's id is returned unchanged (the same object). Unknown members are kept.
 * Throws `MALFORMED_BUNDLE` when the payload is not base64.
 */
export function addSignature<E extends DsseEnvelope>(envelope: E, key: Ed25519PrivateKey): E {
  if (envelope.signatures.some((s) => s.keyid === key.publicKey.keyId)) return envelope;
  const body = decodeBase64(envelope.payload);
  if (body === null) throw new VcError('MALFORMED_BUNDLE', 'the envelope payload is not base64');
  return {
    ...envelope,
    signatures: [...envelope.signatures, signatureOver(envelope.payloadType, body, key)],
  };
}

function signatureOver(
  payloadType: string,
  body: Uint8Array,
  key: Ed25519PrivateKey,
): DsseSignature {
  return {
    keyid: key.publicKey.keyId,
    sig: encodeBase64(signBytes(key, pae(payloadType, body))),
  };
}

/**
 * True when `signature` is a valid Ed25519 signature by `publicKey` over
 * PAE(payloadType, decoded payload bytes as received); the payload is never re-serialised.
 * False (never throws) when the signature's keyid is not the key's id, the payload or sig is not
 * base64, or the sig is not 64 bytes.
 */
export function verifySignature(
  envelope: Pick<DsseEnvelope, 'payloadType' | 'payload'>,
  signature: DsseSignature,
  publicKey: Ed25519PublicKey,
): boolean {
  if (signature.keyid !== publicKey.keyId) return false;
  const body = decodeBase64(envelope.payload);
  const sig = decodeBase64(signature.sig);
  if (body === null || sig === null || sig.byteLength !== SIGNATURE_BYTES) return false;
  return verifyBytes(publicKey, pae(envelope.payloadType, body), sig);
}

/**
 * Attestation digest (02 §7): `sha256:` + hex(sha256(JCS(envelope))) of the envelope as parsed,
 * signatures and unknown members included. Throws `JSON_INVALID` for a value JSON cannot hold.
 */
export function attestationDigest(envelope: unknown): string {
  return sha256Digest(canonicalBytes(envelope));
}

/**
 * Structure of a DSSE envelope (04 §3 step 3, `validate --type dsse-envelope`). `path` is the
 * JSONPath of the envelope (`$` standalone, `$.attestations[0]` in a bundle). Structural problems
 * carry `MALFORMED_BUNDLE` and come first; then `INVALID_SIGNATURE` for an envelope without
 * signatures and for each `sig` that does not decode to 64 bytes (02 §7). No cryptography.
 */
export function checkEnvelope(value: unknown, path: string): Problem[] {
  if (!isJsonObject(value)) {
    return [malformed(path, 'a DSSE envelope must be an object')];
  }
  const problems: Problem[] = [];
  const signatureProblems: Problem[] = [];
  if (typeof value.payloadType !== 'string') {
    problems.push(malformed(childPath(path, 'payloadType'), 'payloadType must be a string'));
  }
  if (typeof value.payload !== 'string') {
    problems.push(malformed(childPath(path, 'payload'), 'payload must be a string'));
  } else if (decodeBase64(value.payload) === null) {
    problems.push(malformed(childPath(path, 'payload'), 'payload is not base64'));
  }
  const signatures = value.signatures;
  const signaturesPath = childPath(path, 'signatures');
  if (!Array.isArray(signatures)) {
    problems.push(malformed(signaturesPath, 'signatures must be an array'));
    return problems;
  }
  if (signatures.length > DSSE_MAX_SIGNATURES) {
    problems.push(
      malformed(
        signaturesPath,
        `an envelope has at most ${DSSE_MAX_SIGNATURES} signatures, not ${signatures.length}`,
      ),
    );
  }
  if (signatures.length === 0) {
    signatureProblems.push({
      code: 'INVALID_SIGNATURE',
      path: signaturesPath,
      message: 'the envelope has no signatures',
    });
  }
  signatures.forEach((item: unknown, i) => {
    const itemPath = childPath(signaturesPath, i);
    if (!isJsonObject(item)) {
      problems.push(malformed(itemPath, 'a signature must be an object'));
      return;
    }
    if (typeof item.keyid !== 'string') {
      problems.push(malformed(childPath(itemPath, 'keyid'), 'keyid must be a string'));
    }
    if (typeof item.sig !== 'string') {
      problems.push(malformed(childPath(itemPath, 'sig'), 'sig must be a string'));
      return;
    }
    const sig = decodeBase64(item.sig);
    if (sig === null || sig.byteLength !== SIGNATURE_BYTES) {
      signatureProblems.push({
        code: 'INVALID_SIGNATURE',
        path: childPath(itemPath, 'sig'),
        message:
          sig === null
            ? 'sig is not base64'
            : `sig is ${sig.byteLength} bytes; an Ed25519 signature has ${SIGNATURE_BYTES}`,
      });
    }
  });
  return [...problems, ...signatureProblems];
}

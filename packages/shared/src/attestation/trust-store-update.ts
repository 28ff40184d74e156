// SPDX-License-Identifier: Apache-2.0
// Whether a signed trust-store update may replace the current store (02 §9 "Updates").
import { decodeBase64, publicKeyFromBase64, type Ed25519PublicKey } from '../crypto/index.js';
import { VcError } from '../errors.js';
import { JsonError, parseJson } from '../json/index.js';
import { parseRfc3339 } from '../time/rfc3339.js';
import { checkEnvelope, verifySignature, type DsseEnvelope } from './dsse.js';
import {
  TRUST_STORE_MEDIA_TYPE,
  type TrustStore,
  type TrustStoreKey,
} from './trust-store-schema.js';
import { keyStatusAt, parseTrustStore, TRUST_STORE_UPDATERS } from './trust-store.js';

/** payloadType of a trust-store update envelope: the trust store's media type (02 §9). */
export const TRUST_STORE_UPDATE_PAYLOAD_TYPE = TRUST_STORE_MEDIA_TYPE;

/** Why an update was refused; each is reported as `TRUST_UPDATE_REJECTED` with this reason. */
export type TrustUpdateRejection =
  | 'malformed-envelope'
  | 'payload-type'
  | 'invalid-store'
  | 'id-changed'
  | 'serial-not-greater'
  | 'not-newer'
  | 'signature-invalid'
  | 'threshold-not-met';

interface UpdateCounts {
  /** Updater signatures needed: `thresholds["trust-store-updaters"].k`, else 1. */
  readonly required: number;
  /** Computed key ids of the current store's updaters, valid at `now`, that signed it. */
  readonly signers: readonly string[];
}

export interface AcceptedTrustUpdate extends UpdateCounts {
  readonly accepted: true;
  readonly store: TrustStore;
  /** The decoded payload bytes as received: what the new store file holds. */
  readonly storeBytes: Uint8Array;
  readonly serial: number;
}

export interface RejectedTrustUpdate extends UpdateCounts {
  readonly accepted: false;
  readonly reason: TrustUpdateRejection;
  readonly message: string;
}

export type TrustUpdateResult = AcceptedTrustUpdate | RejectedTrustUpdate;

export interface CheckTrustUpdateOptions {
  /** The time at which updater keys must be valid. */
  readonly now: Date;
}

/**
 * Decides whether the update envelope (its exact file bytes) may replace `current` (02 §9). It is
 * accepted only if: the envelope is a DSSE envelope of payloadType
 * {@link TRUST_STORE_UPDATE_PAYLOAD_TYPE}; its payload is a trust store that validates; `id` is
 * unchanged; `serial` is strictly greater and `updated` strictly later; no signature by a key the
 * current store knows (any role) fails; and at least k distinct keys of the current store's role
 * `trust-store-updaters`, valid at `now`, signed it (k = the `trust-store-updaters` group's k, else
 * 1). Signers are counted by the key id computed from the public key, so one key counts once;
 * signatures by unknown keys are ignored. Never throws for bad input.
 */
export function checkTrustStoreUpdate(
  current: TrustStore,
  envelopeBytes: Uint8Array,
  opts: CheckTrustUpdateOptions,
): TrustUpdateResult {
  const required = current.thresholds[TRUST_STORE_UPDATERS]?.k ?? 1;
  let signers: string[] = [];
  const reject = (reason: TrustUpdateRejection, message: string): RejectedTrustUpdate => ({
    accepted: false,
    reason,
    message,
    required,
    signers,
  });

  let envelope: unknown;
  try {
    envelope = parseJson(envelopeBytes);
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    return reject('malformed-envelope', `the update is not valid JSON: ${err.message}`);
  }
  const structural = checkEnvelope(envelope, '$').filter((p) => p.code === 'MALFORMED_BUNDLE');
  const firstStructural = structural[0];
  if (firstStructural !== undefined) {
    return reject(
      'malformed-envelope',
      `the update is not a DSSE envelope: ${firstStructural.path ?? '$'}: ${firstStructural.message}`,
    );
  }
  const env = envelope as DsseEnvelope;
  if (env.payloadType !== TRUST_STORE_UPDATE_PAYLOAD_TYPE) {
    return reject(
      'payload-type',
      `payloadType is ${JSON.stringify(env.payloadType)}, not ${TRUST_STORE_UPDATE_PAYLOAD_TYPE}`,
    );
  }
  // checkEnvelope has made sure the payload decodes
  const storeBytes = decodeBase64(env.payload) ?? new Uint8Array();
  const parsed = parseTrustStore(storeBytes);
  const store = parsed.trustStore;
  if (store === undefined) {
    const first = parsed.errors[0];
    return reject(
      'invalid-store',
      `the new trust store is invalid: ${first?.path ?? '$'}: ${first?.message ?? 'invalid'}${parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more)` : ''}`,
    );
  }
  if (store.id !== current.id) {
    return reject(
      'id-changed',
      `the new trust store has id ${JSON.stringify(store.id)}, the current one ${JSON.stringify(current.id)}`,
    );
  }
  if (store.serial <= current.serial) {
    return reject(
      'serial-not-greater',
      `serial ${store.serial} is not greater than the current serial ${current.serial}`,
    );
  }
  const newUpdated = parseRfc3339(store.updated);
  const oldUpdated = parseRfc3339(current.updated);
  if (newUpdated === null || oldUpdated === null || newUpdated <= oldUpdated) {
    return reject(
      'not-newer',
      `updated ${store.updated} is not later than the current ${current.updated}`,
    );
  }

  const known = knownKeys(current);
  const updaters = new Map<string, TrustStoreKey>();
  for (const key of current.keys[TRUST_STORE_UPDATERS] ?? []) {
    const publicKey = tryPublicKey(key.publicKey);
    if (publicKey !== undefined && !updaters.has(publicKey.keyId)) {
      updaters.set(publicKey.keyId, key);
    }
  }
  const counted = new Set<string>();
  const ignored: string[] = [];
  for (const signature of env.signatures) {
    const publicKey = known.get(signature.keyid);
    if (publicKey === undefined) continue;
    // the store may name a key by another id (a warning); the signature is over its public key
    if (!verifySignature(env, { keyid: publicKey.keyId, sig: signature.sig }, publicKey)) {
      return reject(
        'signature-invalid',
        `the signature by ${signature.keyid}, a key of the current trust store, does not verify`,
      );
    }
    const updater = updaters.get(publicKey.keyId);
    if (updater === undefined) {
      ignored.push(`${signature.keyid} is not a ${TRUST_STORE_UPDATERS} key`);
      continue;
    }
    const status = keyStatusAt(updater, opts.now);
    if (status !== 'valid') {
      ignored.push(`${signature.keyid} is ${status}`);
      continue;
    }
    counted.add(publicKey.keyId);
  }
  signers = [...counted];
  if (counted.size < required) {
    return reject(
      'threshold-not-met',
      `${counted.size} of the ${required} required ${TRUST_STORE_UPDATERS} signatures${ignored.length > 0 ? ` (not counted: ${[...new Set(ignored)].join('; ')})` : ''}`,
    );
  }
  return { accepted: true, store, storeBytes, serial: store.serial, required, signers };
}

/**
 * {@link checkTrustStoreUpdate}, throwing `TRUST_UPDATE_REJECTED` (with `details.reason`) when
 * the update is refused.
 */
export function assertTrustStoreUpdate(
  current: TrustStore,
  envelopeBytes: Uint8Array,
  opts: CheckTrustUpdateOptions,
): AcceptedTrustUpdate {
  const result = checkTrustStoreUpdate(current, envelopeBytes, opts);
  if (result.accepted) return result;
  throw new VcError('TRUST_UPDATE_REJECTED', `trust-store update rejected: ${result.message}`, {
    details: { reason: result.reason, required: result.required, signers: result.signers },
  });
}

/** Every key of the store by its stated id and by its computed id. */
function knownKeys(store: TrustStore): Map<string, Ed25519PublicKey> {
  const out = new Map<string, Ed25519PublicKey>();
  for (const keys of Object.values(store.keys)) {
    for (const key of keys) {
      const publicKey = tryPublicKey(key.publicKey);
      if (publicKey === undefined) continue;
      if (!out.has(key.id)) out.set(key.id, publicKey);
      if (!out.has(publicKey.keyId)) out.set(publicKey.keyId, publicKey);
    }
  }
  return out;
}

function tryPublicKey(base64: string): Ed25519PublicKey | undefined {
  try {
    return publicKeyFromBase64(base64);
  } catch {
    return undefined;
  }
}

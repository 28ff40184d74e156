// SPDX-License-Identifier: Apache-2.0
// Signed trust-store updates (02 §9): `trust sign-update` writes the envelope, `trust update`
// applies it to the local store.
import { promises as fs } from 'node:fs';
import { VcError, type Problem } from '@verified-container/shared';
import {
  TRUST_STORE_UPDATERS,
  TRUST_STORE_UPDATE_PAYLOAD_TYPE,
  addSignature,
  assertTrustStoreUpdate,
  checkEnvelope,
  parseTrustStore,
  signEnvelope,
  type DsseEnvelope,
  type TrustStore,
} from '@verified-container/shared/attestation';
import {
  decodeBase64,
  publicKeyFromBase64,
  type Ed25519PrivateKey,
} from '@verified-container/shared/crypto';
import { JsonError, canonicalBytes, parseJson } from '@verified-container/shared/json';
import { pathExists, readInputFile, writeFileAtomic } from '../io/files.js';
import { readTrustStoreFile } from './edit-trust-store.js';

export interface SignUpdateResult {
  readonly envelopePath: string;
  readonly keyid: string;
  /** False when the key had already signed (the file is unchanged). */
  readonly added: boolean;
  readonly signatures: number;
  readonly id: string;
  readonly serial: number;
}

/**
 * Signs the new store `inputPath` as a trust-store update (02 §9): payloadType
 * {@link TRUST_STORE_UPDATE_PAYLOAD_TYPE}, payload the JCS bytes of the new store. Creates
 * `envelopePath`, or adds one signature to the envelope already there (which must carry the same
 * payload). The new store must validate (`TRUST_STORE_INVALID`).
 */
export async function signTrustStoreUpdate(
  inputPath: string,
  envelopePath: string,
  key: Ed25519PrivateKey,
): Promise<SignUpdateResult> {
  const input = await readInputFile(inputPath, { what: 'new trust store' });
  const parsed = parseTrustStore(input);
  if (parsed.trustStore === undefined) {
    const first = parsed.errors[0];
    throw new VcError(
      first?.code === 'INSUFFICIENT_LOG_OPERATORS' ? first.code : 'TRUST_STORE_INVALID',
      `${inputPath}: ${first?.path ?? '$'}: ${first?.message ?? 'invalid trust store'}`,
      { errors: parsed.errors, hint: `run cerro-torre validate --type trust-store ${inputPath}` },
    );
  }
  const payload = canonicalBytes(parseJson(input));
  let envelope: DsseEnvelope;
  let before = 0;
  if (await pathExists(envelopePath)) {
    const existing = await readUpdateEnvelope(envelopePath);
    const body = decodeBase64(existing.payload);
    if (
      existing.payloadType !== TRUST_STORE_UPDATE_PAYLOAD_TYPE ||
      body === null ||
      !Buffer.from(body).equals(Buffer.from(payload))
    ) {
      throw new VcError(
        'USAGE',
        `${envelopePath} is an update for another trust store than ${inputPath}`,
        { hint: 'remove it, or write this update elsewhere with --envelope' },
      );
    }
    before = existing.signatures.length;
    envelope = addSignature(existing, key);
  } else {
    envelope = signEnvelope(payload, key, TRUST_STORE_UPDATE_PAYLOAD_TYPE);
  }
  const added = envelope.signatures.length > before;
  if (added) {
    // the envelope members first, unknown ones after (as 02 §11 writes envelopes)
    const { payloadType, payload: body, signatures, ...rest } = envelope;
    const ordered = { payloadType, payload: body, signatures, ...rest };
    await writeFileAtomic(envelopePath, `${JSON.stringify(ordered, null, 2)}\n`, { mode: 0o644 });
  }
  return {
    envelopePath,
    keyid: key.publicKey.keyId,
    added,
    signatures: envelope.signatures.length,
    id: parsed.trustStore.id,
    serial: parsed.trustStore.serial,
  };
}

async function readUpdateEnvelope(path: string): Promise<DsseEnvelope> {
  const bytes = await readInputFile(path, { what: 'update envelope' });
  let value: unknown;
  try {
    value = parseJson(bytes);
  } catch (err) {
    if (!(err instanceof JsonError)) throw err;
    throw new VcError('USAGE', `${path} is not a DSSE envelope: ${err.message}`, { cause: err });
  }
  const problem = checkEnvelope(value, '$').find((p) => p.code === 'MALFORMED_BUNDLE');
  if (problem !== undefined) {
    throw new VcError(
      'USAGE',
      `${path} is not a DSSE envelope: ${problem.path ?? '$'}: ${problem.message}`,
    );
  }
  return value as DsseEnvelope;
}

/** Whether `keyId` is a key of role `trust-store-updaters` in `store` (by computed key id). */
export function isUpdaterKey(store: TrustStore, keyId: string): boolean {
  return (store.keys[TRUST_STORE_UPDATERS] ?? []).some((k) => {
    try {
      return publicKeyFromBase64(k.publicKey).keyId === keyId;
    } catch {
      return false;
    }
  });
}

export interface AppliedUpdate {
  readonly path: string;
  readonly id: string;
  readonly serial: number;
  readonly previousSerial: number;
  /** Where the previous file was kept: `<file>.serial-<n>`. */
  readonly backup: string;
  readonly digest: string;
  readonly required: number;
  readonly signers: readonly string[];
  readonly warnings: readonly Problem[];
}

/**
 * Applies a signed update to the trust store file `storePath` (02 §9). The update is checked by
 * `assertTrustStoreUpdate` against the current store (`TRUST_UPDATE_REJECTED` naming the reason,
 * nothing changes). Then the previous file is kept as `<file>.serial-<n>` and the new store (the
 * payload bytes as signed, so its digest is the sha256 of what the updaters signed) replaces the
 * file atomically.
 */
export async function applyTrustStoreUpdate(
  storePath: string,
  envelopePath: string,
  now: Date,
): Promise<AppliedUpdate> {
  const current = await readTrustStoreFile(storePath);
  const envelopeBytes = await readInputFile(envelopePath, { what: 'update envelope' });
  const accepted = assertTrustStoreUpdate(current.store, envelopeBytes, { now });
  const next = parseTrustStore(accepted.storeBytes);
  let mode = 0o644;
  try {
    mode = (await fs.stat(storePath)).mode & 0o777;
  } catch {
    // read a moment ago; keep the default mode
  }
  const backup = `${storePath}.serial-${current.store.serial}`;
  await writeFileAtomic(backup, current.bytes, { mode });
  await writeFileAtomic(storePath, accepted.storeBytes, { mode });
  return {
    path: storePath,
    id: accepted.store.id,
    serial: accepted.serial,
    previousSerial: current.store.serial,
    backup,
    digest: next.digest,
    required: accepted.required,
    signers: accepted.signers,
    warnings: next.warnings,
  };
}

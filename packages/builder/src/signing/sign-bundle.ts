// SPDX-License-Identifier: Apache-2.0
// Threshold signing (02 §10): adding signatures to every envelope of an attestation bundle.
import { VcError } from '@verified-container/shared';
import {
  addSignature,
  attestationDigest,
  parseBundle,
  serializeBundle,
  type AttestationBundle,
} from '@verified-container/shared/attestation';
import type { Ed25519PrivateKey } from '@verified-container/shared/crypto';

/** What {@link signBundle} produced. */
export interface SignedBundle {
  /** The bundle file to write (the input bytes themselves when nothing changed). */
  readonly bytes: Uint8Array;
  readonly bundle: AttestationBundle;
  /** True when at least one signature was added. */
  readonly changed: boolean;
  /** Key ids that added a signature to at least one envelope, in key order. */
  readonly addedBy: readonly string[];
  /** Log entries dropped because the digest of the attestation they covered changed. */
  readonly droppedLogEntries: number;
}

/**
 * Adds each key's DSSE signature (over the existing payload's PAE) to every attestation envelope
 * (02 §10). A key that already signed an envelope, or appears twice, adds nothing there, so
 * signing is idempotent. Envelopes that change get a new attestation digest, so the log entries
 * that covered the old one are dropped (they must be published again). Unknown members are kept.
 * Throws `MALFORMED_BUNDLE` when the bytes are not a bundle.
 */
export function signBundle(
  bundleBytes: Uint8Array,
  keys: readonly Ed25519PrivateKey[],
): SignedBundle {
  const bundle = readBundle(bundleBytes);
  const addedBy = new Set<string>();
  const staleDigests = new Set<string>();
  const attestations = bundle.attestations.map((envelope) => {
    let signed = envelope;
    for (const key of keys) {
      const next = addSignature(signed, key);
      if (next !== signed) addedBy.add(key.publicKey.keyId);
      signed = next;
    }
    if (signed !== envelope) staleDigests.add(attestationDigest(envelope));
    return signed;
  });
  if (staleDigests.size === 0) {
    return { bytes: bundleBytes, bundle, changed: false, addedBy: [], droppedLogEntries: 0 };
  }
  const logEntries = bundle.logEntries.filter(
    (e) => e.attestationDigest === undefined || !staleDigests.has(e.attestationDigest),
  );
  const next: AttestationBundle = { ...bundle, attestations, logEntries };
  return {
    bytes: new TextEncoder().encode(serializeBundle(next)),
    bundle: next,
    changed: true,
    addedBy: [...addedBy],
    droppedLogEntries: bundle.logEntries.length - logEntries.length,
  };
}

/** Parses a bundle file (04 §3 step 3 structure); the first problem becomes `MALFORMED_BUNDLE`. */
export function readBundle(bytes: Uint8Array, what = 'the bundle'): AttestationBundle {
  const { bundle, errors } = parseBundle(bytes);
  if (bundle === undefined) {
    const first = errors[0];
    throw new VcError(
      'MALFORMED_BUNDLE',
      `${what} is not an attestation bundle${first !== undefined ? `: ${first.path ?? '$'}: ${first.message}` : ''}`,
      { errors },
    );
  }
  return bundle;
}

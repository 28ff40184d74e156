// SPDX-License-Identifier: Apache-2.0
// Whether a bundle's signatures meet the threshold that gates publishing (02 §10).
import {
  findKey,
  keyStatusAt,
  signingGroups,
  verifySignature,
  type AttestationBundle,
  type DsseEnvelope,
  type TrustStore,
} from '@verified-container/shared/attestation';

/**
 * The threshold to meet: the manifest's `[attestations.signing]` (k distinct valid signatures by
 * keys whose trust-store owner is a keyholder), or every signing group of the trust store.
 */
export type ThresholdRequirement =
  | { readonly kind: 'keyholders'; readonly k: number; readonly keyholders: readonly string[] }
  | { readonly kind: 'trust-store-groups' };

/** `{required, have, met}` as `sign` prints it; `have` is the weakest envelope's count. */
export interface ThresholdStatus {
  readonly required: number;
  readonly have: number;
  readonly met: boolean;
  /** The group the numbers are about (`keyholders` for the manifest rule). */
  readonly group: string;
}

/**
 * Counts, on every envelope, the distinct key ids with a valid signature (over the payload as
 * received) by a trust-store key valid at `now` that the rule accepts; a key counts once however
 * often it signs. A group is met when every envelope reaches k. For `trust-store-groups` the
 * reported status is the least satisfied group; a store without signing groups is never met.
 */
export function thresholdStatus(
  bundle: Pick<AttestationBundle, 'attestations'>,
  store: TrustStore,
  requirement: ThresholdRequirement,
  now: Date,
): ThresholdStatus {
  switch (requirement.kind) {
    case 'keyholders': {
      const owners = new Set(requirement.keyholders);
      const have = weakest(bundle.attestations, store, now, (keyId) => {
        const owner = findKey(store, keyId)?.key.metadata?.owner;
        return owner !== undefined && owners.has(owner);
      });
      return { group: 'keyholders', required: requirement.k, have, met: have >= requirement.k };
    }
    case 'trust-store-groups': {
      const statuses = signingGroups(store).map((name) => {
        const group = store.thresholds[name];
        const members = new Set(group?.members ?? []);
        const k = group?.k ?? 1;
        const have = weakest(bundle.attestations, store, now, (keyId) => members.has(keyId));
        return { group: name, required: k, have, met: have >= k };
      });
      const sorted = statuses.sort((a, b) => a.have - a.required - (b.have - b.required));
      return sorted[0] ?? { group: '(none)', required: 1, have: 0, met: false };
    }
  }
}

function weakest(
  envelopes: readonly DsseEnvelope[],
  store: TrustStore,
  now: Date,
  accepts: (keyId: string) => boolean,
): number {
  let min = Number.POSITIVE_INFINITY;
  for (const envelope of envelopes) {
    min = Math.min(min, validSigners(envelope, store, now, accepts).size);
  }
  return Number.isFinite(min) ? min : 0;
}

/** Distinct key ids of `envelope` with a valid signature by a trust-store key valid at `now`. */
export function validSigners(
  envelope: DsseEnvelope,
  store: TrustStore,
  now: Date,
  accepts: (keyId: string) => boolean = () => true,
): Set<string> {
  const out = new Set<string>();
  for (const signature of envelope.signatures) {
    if (out.has(signature.keyid) || !accepts(signature.keyid)) continue;
    const trusted = findKey(store, signature.keyid);
    if (trusted === undefined || keyStatusAt(trusted.key, now) !== 'valid') continue;
    if (verifySignature(envelope, signature, trusted.publicKey)) out.add(signature.keyid);
  }
  return out;
}

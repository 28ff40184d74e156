// SPDX-License-Identifier: Apache-2.0
// The development trust store `trust init` writes (02 §9). Pure: keys and logs are passed in.
import {
  TRUST_STORE_SCHEMA_URI,
  TRUST_STORE_UPDATERS,
  type TrustStore,
  type TrustStoreKey,
} from '@verified-container/shared/attestation';
import { publicKeyToBase64, type Ed25519PublicKey } from '@verified-container/shared/crypto';

/** Default name of the signing group (02 §9 `trust init --group`). */
export const DEFAULT_SIGNING_GROUP = 'release-signers';

export interface TrustStoreKeyholder {
  readonly owner: string;
  readonly publicKey: Ed25519PublicKey;
}

export interface TrustStoreLogInput {
  readonly logId: string;
  readonly operator: string;
  readonly url: string;
  readonly publicKey: Ed25519PublicKey;
}

export interface DevTrustStoreInput {
  readonly id: string;
  /** RFC 3339 UTC: `updated` and every key's `validFrom`. */
  readonly now: string;
  readonly dev: boolean;
  /** Role `releasers`, in this order. */
  readonly keyholders: readonly TrustStoreKeyholder[];
  /** The manifest's `threshold` k (n is the number of keyholders); none → no group. */
  readonly group?: { readonly name: string; readonly k: number };
  readonly logs: readonly TrustStoreLogInput[];
  /** Owners (among the keyholders) that also get the `trust-store-updaters` role. */
  readonly updaters: readonly string[];
}

/**
 * A trust store (02 §9): `keys.releasers` holds the keyholders (owner = name, validFrom = now),
 * `thresholds[group]` the k-of-n `ed25519-multisig` group over them, `logs` the given logs, and
 * `keys.trust-store-updaters` (with a 1-of-n group when there is more than one) the updaters.
 * `serial` 0; `profile: "dev"` when `dev`.
 */
export function devTrustStore(input: DevTrustStoreInput): TrustStore {
  const entry = (k: TrustStoreKeyholder): TrustStoreKey => ({
    id: k.publicKey.keyId,
    algorithm: 'ed25519',
    publicKey: publicKeyToBase64(k.publicKey),
    validFrom: input.now,
    metadata: { owner: k.owner },
  });
  const releasers = input.keyholders.map(entry);
  const updaters = input.keyholders.filter((k) => input.updaters.includes(k.owner)).map(entry);
  const thresholds: TrustStore['thresholds'] = {};
  if (input.group !== undefined && releasers.length > 0) {
    thresholds[input.group.name] = {
      k: input.group.k,
      n: releasers.length,
      algorithm: 'ed25519-multisig',
      members: releasers.map((k) => k.id),
    };
  }
  const logs: TrustStore['logs'] = {};
  for (const log of input.logs) {
    logs[log.logId] = {
      operator: log.operator,
      publicKey: publicKeyToBase64(log.publicKey),
      url: log.url,
      algorithm: 'ed25519',
    };
  }
  return {
    $schema: TRUST_STORE_SCHEMA_URI,
    version: 1,
    id: input.id,
    serial: 0,
    updated: input.now,
    ...(input.dev ? { profile: 'dev' as const } : {}),
    keys: {
      releasers,
      ...(updaters.length > 0 ? { [TRUST_STORE_UPDATERS]: updaters } : {}),
    },
    thresholds,
    logs,
  };
}

// SPDX-License-Identifier: Apache-2.0
// Threshold signing (02 §8–§10): what `build`, `sign`, `publish` and `trust init` share.
export type { SignedBundle } from './sign-bundle.js';
export { signBundle, readBundle } from './sign-bundle.js';
export type { LoadedKey, LoadedKeys } from './load-keys.js';
export { loadKeyholderKeys, readPrivateKeyFile } from './load-keys.js';
export type { ThresholdRequirement, ThresholdStatus } from './threshold-status.js';
export { thresholdStatus, validSigners } from './threshold-status.js';
export type { LoadedTrustStore, TrustStoreLocation } from './load-trust-store.js';
export { loadTrustStore } from './load-trust-store.js';
export type {
  DevTrustStoreInput,
  TrustStoreKeyholder,
  TrustStoreLogInput,
} from './dev-trust-store.js';
export { DEFAULT_SIGNING_GROUP, devTrustStore } from './dev-trust-store.js';
export type { BundleTarget } from './bundle-target.js';
export { openBundleTarget } from './bundle-target.js';
export type { KeyPassphrase, PassphraseDeps, PassphraseSources } from './passphrase.js';
export {
  obtainPassphrase,
  obtainNewPassphrase,
  passphraseFromDeps,
  passphraseOnce,
  passphraseRequired,
  readPrivateKeyAsking,
  readPrivateKeyInteractive,
  promptHidden,
} from './passphrase.js';
export type { TrustStoreFile, EditedTrustStore } from './edit-trust-store.js';
export { trustStorePath, readTrustStoreFile, editTrustStore } from './edit-trust-store.js';
export type { SignUpdateResult, AppliedUpdate } from './trust-update.js';
export { signTrustStoreUpdate, applyTrustStoreUpdate, isUpdaterKey } from './trust-update.js';

// SPDX-License-Identifier: Apache-2.0
// `vordr image pull | push` and `run --pull` (05 §3, §10.1) on the shared registry client.
export type { RegistryFlags, RegistryEnv } from './registry-flags.js';
export {
  parseCreds,
  parseTlsVerify,
  registryOpener,
  VORDR_MISMATCH_CODE,
} from './registry-flags.js';
export type { PullStoreImageOptions, PulledStoreImage } from './pull-store-image.js';
export { PULL_PLATFORM, pullStoreImage } from './pull-store-image.js';
export type { PushStoreImageOptions } from './push-store-image.js';
export { pushStoreImage } from './push-store-image.js';

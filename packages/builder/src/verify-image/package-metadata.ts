// SPDX-License-Identifier: Apache-2.0
// `manifest.toml` of a .ctp package or store bundle (02 §3) is read by the shared core, where
// `vordr verify` uses it too.
export type { PackageMetadata } from '@verified-container/shared/verify';
export { readPackageMetadata } from '@verified-container/shared/verify';

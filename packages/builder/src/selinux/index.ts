// SPDX-License-Identifier: Apache-2.0
// The `custom-policy` as a CIL module, checked with secilc and added to the image (01 §2.3).
export type { SelinuxCheckDeps } from './check-selinux-module.js';
export { checkSelinuxModule, DEFAULT_SECILC } from './check-selinux-module.js';
export type { GeneratedImageFile, SelinuxModuleOutput } from './selinux-module-files.js';
export { buildSelinuxModule, selinuxModuleFiles } from './selinux-module-files.js';
export { secilcErrorSummary } from './secilc-output.js';

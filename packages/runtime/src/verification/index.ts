// SPDX-License-Identifier: Apache-2.0
// Verification of store images before they run (05 §4.2) and `vordr verify` (05 §9).
export type { VerifyImageOptions, ImageVerification } from './verify-store-image.js';
export { verifyStoreImage, verifyStoreReference } from './verify-store-image.js';
// verify-package.js (`verify FILE.ctp`) is imported on demand: it pulls in the tar reader.
export type { PackageVerification, VerifyPackageOptions } from './verify-package.js';
export type { CheckLine, RunCheckContext } from './check-lines.js';
export {
  SBOM_LINE,
  checkLineJson,
  decisionLine,
  renderCheckLines,
  runCheckLines,
  verifyCheckLines,
} from './check-lines.js';
export type { SbomEvidence } from './sbom-rootfs.js';
export { checkSbomMatchesRootfs } from './sbom-rootfs.js';
export { TRUST_STORE_HINT, trustStorePathOf } from './verify-inputs.js';

// SPDX-License-Identifier: Apache-2.0
// The default seccomp profile, converted per container (05 §4.5).
export type { SeccompContext } from './convert.js';
export {
  NATIVE_ARCH,
  X86_64_ARCHITECTURES,
  assertContainersProfile,
  convertSeccompProfile,
} from './convert.js';
export { DEFAULT_SECCOMP_PROFILE, defaultSeccompProfilePath, loadSeccomp } from './load.js';

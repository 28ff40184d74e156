// SPDX-License-Identifier: Apache-2.0
// The effective security profile of a container (05 §4.3) and its inputs.
export type { CapabilityName, CapabilityFlags } from './capabilities.js';
export {
  applyCapabilityFlags,
  capabilityMask,
  kernelCapabilities,
  normalizeCapabilityNames,
} from './capabilities.js';
export type {
  Deviation,
  EffectiveProfile,
  EffectiveProfileInput,
  EffectiveProfileResult,
  ProfileFlags,
  SeccompSetting,
} from './effective-profile.js';
export {
  CPU_PERIOD,
  DEFAULT_PIDS_LIMIT,
  DEFAULT_SELINUX_TYPE,
  MIN_MEMORY,
  READ_ONLY_TMPFS_DIRS,
  computeEffectiveProfile,
} from './effective-profile.js';
export type {
  ProcessEnv,
  ProcessEnvInput,
  ResolvedValue,
  RunVariables,
  RunVariablesInput,
} from './env.js';
export {
  DEFAULT_PATH,
  buildProcessEnv,
  collectRunVariables,
  isEnvName,
  resolveRuntimeVariables,
} from './env.js';
export type { CallerHardLimits, Rlimit } from './rlimits.js';
export {
  DEFAULT_RLIMITS,
  ULIMIT_NAMES,
  computeRlimits,
  parseProcLimits,
  parseUlimit,
} from './rlimits.js';
export type { SecurityOpt } from './security-opt.js';
export { assertSelinuxType, parseSecurityOpt } from './security-opt.js';
export type { SignedProfile } from './signed-profile.js';
export { defaultSignedProfile, signedProfileFromLabels } from './signed-profile.js';
export { parseSize } from './size.js';
export type { TmpfsSpec } from './tmpfs-flag.js';
export { DEFAULT_TMPFS_SIZE, normalizeContainerPath, parseTmpfsFlag } from './tmpfs-flag.js';
export type { GroupEntry, PasswdEntry, ResolvedUser } from './user.js';
export { parseGroup, parsePasswd, resolveUser } from './user.js';

// SPDX-License-Identifier: Apache-2.0
// The OCI runtime spec (config.json) vordr writes for runc (05 §4.5).
export type { OciSpecInput, OciSpecResult } from './build-spec.js';
export {
  ANNOTATION_DECISION,
  ANNOTATION_IMAGE_DIGEST,
  ANNOTATION_NAME,
  MASKED_PATHS,
  READONLY_PATHS,
  buildOciSpec,
  containerHostname,
} from './build-spec.js';
export type { MountsInput, PathInfo, RootfsLookup, VolumeMount } from './mounts.js';
export { EXCEPTION_TMPFS_SIZE, MAX_RUN_MOUNTS, buildMounts, mountDepth } from './mounts.js';
export type { ProcessArgsInput } from './process-args.js';
export { parseEntrypointFlag, processArgs } from './process-args.js';
export type { AnonymousVolume, RuntimeVolumePlan } from './runtime-volumes.js';
export { planRuntimeVolumes } from './runtime-volumes.js';
export type {
  OciCapabilities,
  OciLinux,
  OciMount,
  OciNamespace,
  OciProcess,
  OciResources,
  OciRlimit,
  OciSeccomp,
  OciSeccompArg,
  OciSeccompSyscall,
  OciSpec,
} from './types.js';

// SPDX-License-Identifier: Apache-2.0
export type {
  ConmonRuncEngineOptions,
  ContainerStartRequest,
  StartedContainer,
  RuncContainerState,
  ContainerExit,
  ExecProcess,
  ExecOptions,
  ExecResult,
} from './conmon-runc-engine.js';
export {
  ConmonRuncEngine,
  DEFAULT_LOG_SIZE_MAX,
  DEFAULT_CREATE_TIMEOUT_MS,
  DEFAULT_KILL_WAIT_MS,
  DEFAULT_CGROUP_PARENT,
} from './conmon-runc-engine.js';
export type { Backend, ContainerRuntimeState, Engine } from './engine.js';
export type { PodmanEngineOptions } from './podman-engine.js';
export { PodmanEngine, diedContainerId } from './podman-engine.js';
export {
  PODMAN_ID_LABEL,
  PODMAN_ROOTFS_ENTRIES,
  podmanName,
  podmanRunArgs,
} from './podman-args.js';
export { podmanDirs, podmanContainersConf, type PodmanDirs } from './podman-conf.js';
export { BackendEngine, backendOfRuntime } from './backend-engine.js';
export { DEFAULT_CGROUP_ROOT, removeCgroupTree, removeContainerCgroups } from './cgroup-cleanup.js';
export { ChangeNotifier, DEFAULT_RECHECK_MS, readFileIfExists } from './change-notifier.js';
export { findExecutable, isProcessAlive, readCommandLine } from './host-process.js';

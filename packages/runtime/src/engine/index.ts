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
export { DEFAULT_CGROUP_ROOT, removeContainerCgroups } from './cgroup-cleanup.js';
export { ChangeNotifier, DEFAULT_RECHECK_MS, readFileIfExists } from './change-notifier.js';
export { findExecutable, isProcessAlive, readCommandLine } from './host-process.js';

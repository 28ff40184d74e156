// SPDX-License-Identifier: Apache-2.0
// The supervisor (05 §1, §6, §13): healthchecks and restart policies, one process per store.
export type { SupervisorEvent } from './events-hook.js';
export { emitSupervisorEvent } from './events-hook.js';
export type { ExitFacts, RestartPolicy } from './restart-policy.js';
export {
  FIRST_RESTART_DELAY_MS,
  MAX_RESTART_DELAY_MS,
  RESTART_RESET_AFTER_MS,
  nextRestartDelay,
  parseRestartPolicy,
  restartPolicyText,
  shouldRestart,
} from './restart-policy.js';
export {
  ensureSupervisor,
  ensureSupervisorFor,
  needsSupervisor,
  runningSupervisorPid,
  supervisorLogFile,
  supervisorPidFile,
} from './supervisor-process.js';
export { markStoppedByUser, resetRestartState } from './user-stop.js';
export type { SuperviseOptions, SuperviseOutcome } from './supervise.js';
export {
  DEFAULT_SUPERVISOR_IDLE_MS,
  DEFAULT_SUPERVISOR_POLL_MS,
  superviseStore,
  supervisorIdleMs,
} from './supervise.js';

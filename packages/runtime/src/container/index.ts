// SPDX-License-Identifier: Apache-2.0
// The container lifecycle of 05 §2, §4, §7, §13: create, start, settle an exit, remove, reconcile.
export type {
  ContainerRecord,
  ContainerState,
  OwnedVolume,
  RecordedMount,
  StoredCheck,
} from './record.js';
export { DEFAULT_STOP_TIMEOUT } from './record.js';
export type { LifecycleContext, LifecycleContextInput } from './context.js';
export { exitCommand, lifecycleContext, withContainerLock } from './context.js';
export type { ContainerPlan, PlanInput } from './create.js';
export { createContainer, planContainer, randomSelinuxLevel } from './create.js';
export { postStartChecks, startContainer } from './start.js';
export type { TeardownOptions } from './teardown.js';
export { exitedMarker, isAttached, removeContainer, settleExit } from './teardown.js';
export { ABANDONED_CREATE_MS, reconcileRecord } from './reconcile.js';
export type { HostFacts } from './host-facts.js';
export { readHostFacts } from './host-facts.js';
export type { ProcessConfinement } from './process-checks.js';
export { capabilityListText, confinementMismatches, parseProcStatus } from './process-checks.js';
export { renderCheck } from './check-lines.js';
export { humanDuration, statusText } from './status-text.js';
export type { VolumeFlag } from './volume-flags.js';
export { parseVolumeFlag } from './volume-flags.js';
export type { VolumePort } from './volumes-port.js';
export { noVolumes } from './volumes-port.js';
export type { VolumeRequest } from './volumes-port.js';
export { settleContainer, settlePodmanExits, settleWhenExited } from './backend-exits.js';

// SPDX-License-Identifier: Apache-2.0
export type { VordrPaths, ContainerPaths } from './vordr-paths.js';
export { vordrPaths, containerPaths, layerPath, diffIdHex } from './vordr-paths.js';
export { writeFileAtomic } from './atomic-file.js';
export { newContainerId, isContainerId, shortId, SHORT_ID_LENGTH } from './container-id.js';
export type { NamedKind } from './container-name.js';
export {
  NAME_PATTERN,
  NAME_ADJECTIVES,
  NAME_NOUNS,
  isValidName,
  assertValidName,
  assertNameFree,
  generateContainerName,
} from './container-name.js';
export type { ContainerHandle } from './container-reference.js';
export { resolveContainerReference } from './container-reference.js';
export { ContainerRecords } from './container-records.js';
export type { LockOwner, LockOptions, HeldLock } from './locks.js';
export { acquireLock, withLock, DEFAULT_LOCK_TIMEOUT_MS } from './locks.js';
export type { ProcessProbe } from './process-start-time.js';
export { probeProcess, parseStartTime } from './process-start-time.js';

// SPDX-License-Identifier: Apache-2.0
// Node I/O that cerro-torre and vordr share. It may use node:* and @verified-container/shared,
// never an app package.
export type { LockOwner, LockOptions, HeldLock, ToolLockOptions, ToolLocks } from './locks.js';
export { acquireLock, withLock, toolLocks, DEFAULT_LOCK_TIMEOUT_MS } from './locks.js';
export type { ProcessProbe } from './process-start-time.js';
export { probeProcess, parseStartTime } from './process-start-time.js';
export { writeFileAtomic } from './atomic-file.js';
export { appendAuditRecord } from './audit-log.js';
export { readCachedResult, writeCachedResult } from './verify-result-cache.js';
export type { BlobSource, ContentAddressedTarget, ExpectedContent } from './content-addressed.js';
export { writeContentAddressed, syncPath } from './content-addressed.js';
export type { TaskProgress } from './progress.js';
export {
  LineProgress,
  TtyProgress,
  PROGRESS_INTERVAL_MS,
  TTY_REDRAW_MS,
  silentProgress,
  formatBytes,
  shortDigest,
} from './progress.js';

// SPDX-License-Identifier: Apache-2.0

// Monitoring transparency logs (03 §12): offline proofs, online heads, stored heads.
export type { LogReader, LogReadErrorCode } from './log-reader.js';
export type { CheckedEntry, OfflineResult, TransparencyProblem } from './offline-check.js';
export { checkOffline } from './offline-check.js';
export type { MonitorLogInput, MonitorLogResult } from './monitor-log.js';
export { monitorLog } from './monitor-log.js';
export type { StoredHead } from './stored-heads.js';
export { readStoredHead, storeHead, storedHeadPath } from './stored-heads.js';
export type {
  CheckTransparencyOptions,
  LogReport,
  LogStatus,
  TransparencyReport,
} from './check-transparency.js';
export {
  REKOR_UNSUPPORTED_REASON,
  TRANSPARENCY_FAILURE_CODES,
  checkTransparency,
} from './check-transparency.js';

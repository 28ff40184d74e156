// SPDX-License-Identifier: Apache-2.0
export type { LogStream, LogEntry, TimedLogEntry } from './k8s-file.js';
export { K8sFileParser, parseK8sFileLog, toLogEntry } from './k8s-file.js';
export type { LogSelection } from './log-query.js';
export {
  parseDurationMs,
  parseLogTime,
  parseTail,
  isInTimeWindow,
  selectLogEntries,
} from './log-query.js';
export type { FollowLogOptions } from './log-file.js';
export { readLogFile, followLogFile } from './log-file.js';

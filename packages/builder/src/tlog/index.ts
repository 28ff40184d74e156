// SPDX-License-Identifier: Apache-2.0

// Transparency-log server side (03 §7–§9): storage, `file:` logs, HTTP API.
export type {
  AppendResult,
  ConsistencyResponse,
  EntryResponse,
  EntryView,
  FileLogOptions,
  HeadRecord,
  InclusionProofResponse,
} from './file-log.js';
export { FileLog, openFileLog } from './file-log.js';
export type { FoundEntry } from './file-log-reader.js';
export { FileLogReader, openFileLogReader } from './file-log-reader.js';
export type { InitLogOptions, InitLogResult, TrustStoreLogEntry } from './init-log.js';
export { initLog } from './init-log.js';
export type { LogConfig } from './log-dir.js';
export { logPaths, readLogConfig } from './log-dir.js';
export type { LogApiRequest, LogApiResponse } from './log-api.js';
export { handleLogRequest } from './log-api.js';
export type { LogServer, LogServerOptions } from './http-server.js';
export { DEFAULT_MAX_BODY, startLogServer } from './http-server.js';
export type { Submission } from './submission.js';
export { checkSubmission, parseSubmissionBody } from './submission.js';

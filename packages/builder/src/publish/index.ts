// SPDX-License-Identifier: Apache-2.0
// Publishing attestations to transparency logs (03 §10–§11).
export type {
  Agreement,
  PublishDeps,
  PublishFailure,
  PublishFailureCode,
  PublishLog,
  PublishOutcome,
} from './publish-bundle.js';
export {
  MAX_ATTEMPTS,
  MAX_IN_FLIGHT_PER_LOG,
  agreementError,
  agreementExitCode,
  publishBundle,
  retryDelay,
} from './publish-bundle.js';
export type { PlanOptions, PublishPlan } from './configured-logs.js';
export { REKOR_UNSUPPORTED, closeLogs, fileLogDir, planPublish } from './configured-logs.js';
export type { ExpectedLog } from './check-log-response.js';
export { checkLogResponse } from './check-log-response.js';
export type { LogClient } from './log-client.js';
export { LogSubmitError } from './log-client.js';
export type { HttpLogClientOptions } from './http-log-client.js';
export { DEFAULT_LOG_REQUEST_TIMEOUT_MS, HttpLogClient } from './http-log-client.js';
export type { FileLogClientOptions } from './file-log-client.js';
export { FileLogClient } from './file-log-client.js';

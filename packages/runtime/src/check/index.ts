// SPDX-License-Identifier: Apache-2.0
// `vordr check` (05 §8): pure comparisons, the host probes they need, and the output.
export type { CheckName, CheckReport, CheckResult, CheckStatus } from './types.js';
export { makeReport } from './types.js';
export type { MeasureInput } from './measure-container.js';
export { measureContainer } from './measure-container.js';
export { liveExecSessions, recordExecSession } from './exec-sessions.js';
export { renderCheckResult, renderReport, renderSummary, reportJson } from './render.js';
export {
  DEFAULT_WATCH_INTERVAL_MS,
  parseWatchInterval,
  watchIntervalOrThrow,
  watchRounds,
} from './watch.js';

// SPDX-License-Identifier: Apache-2.0
// Healthchecks (05 §6): the configuration, the state machine and one run in the container.
export type {
  HealthFlags,
  HealthOnFailure,
  HealthcheckConfig,
  ParsedHealthFlags,
} from './healthcheck-config.js';
export {
  DEFAULT_HEALTH_INTERVAL_MS,
  DEFAULT_HEALTH_RETRIES,
  DEFAULT_HEALTH_START_PERIOD_MS,
  DEFAULT_HEALTH_TIMEOUT_MS,
  HEALTH_ON_FAILURE,
  effectiveHealthcheck,
  parseHealthCmd,
  parseHealthDuration,
  parseHealthFlags,
} from './healthcheck-config.js';
export type { HealthResult, HealthState, HealthStatus } from './health-state.js';
export {
  MAX_HEALTH_LOG,
  MAX_HEALTH_OUTPUT_BYTES,
  applyHealthResult,
  healthOutput,
  initialHealth,
} from './health-state.js';

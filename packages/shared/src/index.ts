// SPDX-License-Identifier: Apache-2.0
export type { Problem, VcErrorOptions, ErrorObject } from './errors.js';
export { VcError, isVcError, toVcError } from './errors.js';
export type { DecisionCode, SetupCode, ManifestCode } from './error-codes.js';
export {
  DECISION_CODES,
  SETUP_CODES,
  MANIFEST_CODES,
  isDecisionCode,
  httpStatusFor,
} from './error-codes.js';
export { EXIT, conformanceExitCode, builderExitCode, vordrExitCode } from './exit-codes.js';
export type { Logger, Clock } from './ports/index.js';
export { noopLogger, systemClock, fixedClock } from './ports/index.js';
export type { StoreRootInput } from './store/index.js';
export { resolveStoreRoot, storePaths } from './store/index.js';
export { parseRfc3339, isRfc3339, isRfc3339Utc, formatRfc3339Utc } from './time/index.js';

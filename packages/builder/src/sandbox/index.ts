// SPDX-License-Identifier: Apache-2.0
export type { Sandbox, SandboxRequest, SandboxResult } from './sandbox.js';
export type { SandboxBindMount, SandboxNetwork, RuncConfig } from './runc-config.js';
export { SANDBOX_CAPABILITIES, buildRuncConfig } from './runc-config.js';
export type { RuncOptions, RunInSandboxOptions } from './runc-sandbox.js';
export {
  DEFAULT_OUTPUT_LIMIT_BYTES,
  DEFAULT_RUNC_PATH,
  RuncSandbox,
  runInSandbox,
} from './runc-sandbox.js';
export type { RuncComposerRunnerOptions } from './composer-runner.js';
export { COMPOSER_STAGING_DIR, RuncComposerRunner } from './composer-runner.js';

// SPDX-License-Identifier: Apache-2.0
export { createProgram, runCli, VORDR_VERSION } from './cli.js';
export type { CliDeps, CommandResult, OutputWriter, ForwardedSignal } from './cli.js';

// SPDX-License-Identifier: Apache-2.0
export { createProgram, VORDR_VERSION } from './cli.js';

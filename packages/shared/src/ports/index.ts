// SPDX-License-Identifier: Apache-2.0
export type { Logger } from './logger.js';
export { noopLogger } from './logger.js';
export type { Clock } from './clock.js';
export { systemClock, fixedClock } from './clock.js';

// SPDX-License-Identifier: Apache-2.0
export { GATEWAY_VERSION } from './version.js';

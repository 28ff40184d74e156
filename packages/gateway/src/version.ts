// SPDX-License-Identifier: Apache-2.0
export const GATEWAY_VERSION = '0.1.0';

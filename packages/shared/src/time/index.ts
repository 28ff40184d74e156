// SPDX-License-Identifier: Apache-2.0
export { parseRfc3339, isRfc3339, isRfc3339Utc, formatRfc3339Utc } from './rfc3339.js';

// SPDX-License-Identifier: Apache-2.0
export { readCachedResult, writeCachedResult } from '@verified-container/host';

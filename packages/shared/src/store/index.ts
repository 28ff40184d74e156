// SPDX-License-Identifier: Apache-2.0
export type { StoreRootInput } from './store-root.js';
export { resolveStoreRoot, storePaths } from './store-root.js';

// SPDX-License-Identifier: Apache-2.0
// The store locks (00 §4.2) live in @verified-container/host, shared with the other tool; here
// they are bound to cerro-torre.
import { toolLocks } from '@verified-container/host';

export type { HeldLock, LockOwner, ToolLockOptions as LockOptions } from '@verified-container/host';
export { DEFAULT_LOCK_TIMEOUT_MS } from '@verified-container/host';

export const { acquireLock, withLock } = toolLocks('cerro-torre');

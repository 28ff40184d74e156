// SPDX-License-Identifier: Apache-2.0
// Moved to @verified-container/host (vordr reports pulls and pushes the same way).
export type { TaskProgress as BuildProgress } from '@verified-container/host';
export {
  LineProgress,
  PROGRESS_INTERVAL_MS,
  TTY_REDRAW_MS,
  TtyProgress,
  formatBytes,
  silentProgress,
} from '@verified-container/host';

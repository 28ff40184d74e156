// SPDX-License-Identifier: Apache-2.0
export type { ProcessProbe } from '@verified-container/host';
export { probeProcess, parseStartTime } from '@verified-container/host';

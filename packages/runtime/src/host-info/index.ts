// SPDX-License-Identifier: Apache-2.0
// The facts `vordr info` prints (05 §11).
export type { CgroupMode, SelinuxState } from './host-facts.js';
export { cgroupModeOf, selinuxStateOf, toolVersionOf } from './host-facts.js';
export type { ToolInfo, HostInfo, GatherHostInfoOptions } from './gather-host-info.js';
export { gatherHostInfo } from './gather-host-info.js';
export { formatHostInfo } from './format-host-info.js';

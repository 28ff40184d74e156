// SPDX-License-Identifier: Apache-2.0
// nftables for vordr containers (05 §4.6, §8): egress allowlists in the container's netns,
// published ports and ingress allowlists on the host.
export {
  collectEgressEntries,
  parseEgressFlag,
  MAX_EGRESS_ENTRIES,
  type EgressEntry,
  type Protocol,
} from './egress-entries.js';
export { EGRESS_TABLE, renderEgressTable, type HostAddresses } from './egress-table.js';
export {
  HOST_TABLE,
  networkCommands,
  ingressPeerUpdateCommands,
  type BridgeNetwork,
} from './host-tables.js';
export {
  parsePublish,
  parsePublishFlags,
  choosePorts,
  MAX_PUBLISHED_PORTS,
  type PortRequest,
  type PublishedPort,
} from './publish-spec.js';
export { makePortHolderProbe } from './port-holder.js';
export {
  installContainerFirewall,
  removeContainerFirewall,
  readFirewallState,
  dnsServersFromEnv,
  resolveWithNodeDns,
  hasResolvedEgress,
  validateEgress,
  firewallDir,
  type ContainerFirewallInput,
  type FirewallNetwork,
  type FirewallResult,
  type FirewallState,
} from './container-firewall.js';
export {
  refreshEgressHosts,
  refreshCommands,
  type EgressRefreshOptions,
  type EgressRefreshResult,
} from './egress-refresh.js';
export {
  MAX_REFRESH_MS,
  MIN_REFRESH_MS,
  RETRY_REFRESH_MS,
  elementTimeoutSeconds,
  nextRefreshDelayMs,
} from './egress-refresh-schedule.js';
export { installNetworkRules, removeNetworkRules } from './network-rules.js';
export { measureNetwork } from './network-checks.js';
export {
  startFirewall,
  stopFirewall,
  withPortsLock,
  type FirewallSettings,
  type FirewalledContainer,
  type StartedFirewall,
} from './lifecycle.js';

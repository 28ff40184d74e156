// SPDX-License-Identifier: Apache-2.0
// vordr networks (05 §4.6, §10.3, §13): records, address management, bridges, netns and veths.
export type { NetworkRecord } from './network-record.js';
export { parseNetworkRecord } from './network-record.js';
export {
  DEFAULT_NETWORK,
  DEFAULT_SUBNET,
  chooseGateway,
  chooseSubnet,
  leaseAddress,
  parseSubnetFlag,
  releaseAddresses,
} from './ipam.js';
export type { ExtraHost, HostsEntry } from './hosts-file.js';
export { assertValidAlias, parseAddHost, renderHosts, renderResolvConf } from './hosts-file.js';
export type { CreateNetworkOptions } from './network-store.js';
export {
  DEFAULT_STORE_ROOT,
  HOST_RUN_DIR,
  createNetwork,
  ensureNetwork,
  getNetwork,
  listNetworks,
  networkUsers,
  pruneLeases,
  readNetwork,
  removeNetworks,
} from './network-store.js';
export type { BridgeSpec, ContainerInterface } from './host-net.js';
export { hostVethName, listVordrLinks, netnsName, netnsPath } from './host-net.js';
export type {
  ConnectedInterface,
  ConnectedNetworks,
  NetworkAttachment,
  NetworkedContainer,
} from './container-network.js';
export {
  connectContainer,
  containerNetnsPath,
  disconnectContainer,
  networksJson,
  refreshHostsFiles,
} from './container-network.js';
export { formatNetworks, networkJson, networkListJson } from './format-networks.js';
export type { DnsForwarderOptions, PeerLookup } from './dns-forwarder.js';
export {
  DNS_IDLE_EXIT_MS,
  DnsForwarder,
  ensureDnsForwarder,
  runStoreDnsForwarder,
  storePeerLookup,
} from './dns-forwarder.js';
export { readNetnsOwner, sweepOrphanNetns } from './netns-owners.js';

// SPDX-License-Identifier: Apache-2.0
// A container's networking over its lifetime (05 §4.6): at start an address on each network,
// the netns `vordr-<id12>` with one veth per network, `/etc/hosts` and `resolv.conf`; at exit
// and removal the reverse. Peers' hosts files follow (rewritten in place: they are bind mounts).
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { VcError } from '@verified-container/shared';
import { installNetworkRules } from '../firewall/index.js';
import { parseIpv4Cidr } from '../firewall/ipv4.js';
import { ContainerRecords } from '../store/container-records.js';
import { containerPaths } from '../store/vordr-paths.js';
import {
  createNetns,
  deleteNetns,
  ensureBridge,
  hostVethName,
  netnsName,
  netnsPath,
  type ContainerInterface,
} from './host-net.js';
import { renderHosts, renderResolvConf, type ExtraHost, type HostsEntry } from './hosts-file.js';
import { leaseAddress, releaseAddresses } from './ipam.js';
import type { NetworkRecord } from './network-record.js';
import { forgetNetnsOwner, recordNetnsOwner } from './netns-owners.js';
import { HOST_RUN_DIR, readNetwork, withNetworkLock, writeNetwork } from './network-store.js';

/** One `--network` of a container, as its record keeps it. */
export interface NetworkAttachment {
  readonly network: string;
  readonly aliases: readonly string[];
  /** The leased address while the container runs. */
  ip?: string;
}

/** The networking fields of a container record. */
export interface NetworkedContainer {
  readonly id: string;
  readonly name: string;
  readonly hostname: string;
  readonly networkAttachments?: NetworkAttachment[];
  readonly extraHosts?: readonly ExtraHost[];
}

/** One interface of a connected container, for the firewall (05 §4.6 rules). */
export interface ConnectedInterface extends ContainerInterface {
  readonly network: string;
  readonly networkId: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly internal: boolean;
}

/** What {@link connectContainer} set up. */
export interface ConnectedNetworks {
  readonly netns: string;
  readonly netnsPath: string;
  readonly interfaces: readonly ConnectedInterface[];
  /** The resolver address written to resolv.conf (first non-internal gateway). */
  readonly nameserver?: string;
}

/** The netns path of a container that has networks (05 §4.5), else undefined (a new empty one). */
export function containerNetnsPath(container: NetworkedContainer): string | undefined {
  return (container.networkAttachments ?? []).length > 0 ? netnsPath(container.id) : undefined;
}

/**
 * Leases an address on each network, creates the netns and veths and writes `hosts` and
 * `resolv.conf`; then refreshes the peers' hosts files. Sets `ip` on the attachments (the caller
 * writes the record). On failure everything made here is undone.
 */
export async function connectContainer(
  root: string,
  container: NetworkedContainer,
): Promise<ConnectedNetworks | undefined> {
  const attachments = container.networkAttachments ?? [];
  if (attachments.length === 0) return undefined;
  const interfaces: ConnectedInterface[] = [];
  try {
    for (const [index, attachment] of attachments.entries()) {
      const network = await withNetworkLock(root, attachment.network, async () => {
        const record = await readNetwork(root, attachment.network);
        if (record === undefined) {
          throw new VcError('NETWORK_NOT_FOUND', `no such network: ${attachment.network}`, {
            hint: 'create it with vordr network create, or run with another --network',
          });
        }
        // A reboot or a manual `ip link del` loses the bridge; the record keeps what it was.
        if (await ensureBridge(record, { onlyIfMissing: true })) await installNetworkRules(record);
        attachment.ip = leaseAddress(record, record.leases, container.id);
        await writeNetwork(root, record);
        return record;
      });
      interfaces.push(interfaceOf(container.id, index, network, attachment.ip!));
    }
    // The default route goes through the first non-internal network (05 §4.6).
    const first = interfaces.findIndex((i) => !i.internal);
    const gateway = first < 0 ? undefined : interfaces[first]!.gateway;
    const routed = interfaces.map((i, n) =>
      n === first ? { ...i, defaultGateway: i.gateway } : i,
    );
    await recordNetnsOwner(HOST_RUN_DIR, resolve(root), container.id);
    await createNetns(container.id, routed);
    const dir = containerPaths(root, container.id).dir;
    await writeInPlace(join(dir, 'resolv.conf'), renderResolvConf(gateway));
    await refreshHostsFiles(root, [container.id, ...(await peerIds(root, container))]);
    return {
      netns: netnsName(container.id),
      netnsPath: netnsPath(container.id),
      interfaces: routed,
      ...(gateway !== undefined ? { nameserver: gateway } : {}),
    };
  } catch (err) {
    await disconnectContainer(root, container).catch(() => undefined);
    throw err;
  }
}

function interfaceOf(
  id: string,
  index: number,
  network: NetworkRecord,
  ip: string,
): ConnectedInterface {
  return {
    network: network.name,
    networkId: network.id,
    bridge: network.bridge,
    hostVeth: hostVethName(id, index),
    ifname: `eth${index}`,
    ip,
    prefix: parseIpv4Cidr(network.subnet)!.prefix,
    subnet: network.subnet,
    gateway: network.gateway,
    internal: network.internal,
  };
}

/**
 * Removes the netns and veths, releases the leases and refreshes the peers' hosts files.
 * Idempotent: a container that was never connected (or already disconnected) is fine.
 */
export async function disconnectContainer(
  root: string,
  container: NetworkedContainer,
): Promise<void> {
  const attachments = container.networkAttachments ?? [];
  if (attachments.length === 0) return;
  await deleteNetns(container.id, attachments.length);
  await forgetNetnsOwner(HOST_RUN_DIR, container.id);
  const peers = await peerIds(root, container);
  for (const attachment of attachments) {
    await withNetworkLock(root, attachment.network, async () => {
      const record = await readNetwork(root, attachment.network);
      if (record !== undefined && releaseAddresses(record.leases, container.id)) {
        await writeNetwork(root, record);
      }
    });
    delete attachment.ip;
  }
  await refreshHostsFiles(root, peers);
}

/** The other containers holding a lease on a network `container` is attached to. */
async function peerIds(root: string, container: NetworkedContainer): Promise<string[]> {
  const ids = new Set<string>();
  for (const attachment of container.networkAttachments ?? []) {
    const record = await readNetwork(root, attachment.network);
    for (const id of Object.values(record?.leases ?? {})) if (id !== container.id) ids.add(id);
  }
  return [...ids];
}

/**
 * Re-renders the hosts file of each container in `ids` from the current leases: its own
 * addresses, `--add-host`, and every peer holding a lease on a shared network.
 */
export async function refreshHostsFiles(root: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const records = new ContainerRecords<NetworkedContainer>(root);
  const networks = new Map<string, NetworkRecord | undefined>();
  const network = async (name: string) => {
    if (!networks.has(name)) networks.set(name, await readNetwork(root, name));
    return networks.get(name);
  };
  for (const id of ids) {
    const container = await records.read(id).catch(() => undefined);
    if (container === undefined) continue;
    const own: HostsEntry[] = [];
    const peers: HostsEntry[] = [];
    for (const attachment of container.networkAttachments ?? []) {
      const record = await network(attachment.network);
      if (record === undefined) continue;
      for (const [ip, holder] of Object.entries(record.leases).sort(byAddress)) {
        if (holder === container.id) {
          own.push({ ip, names: [container.name, container.hostname, ...attachment.aliases] });
          continue;
        }
        const peer = await records.read(holder).catch(() => undefined);
        if (peer === undefined) continue;
        const peerAliases =
          peer.networkAttachments?.find((a) => a.network === attachment.network)?.aliases ?? [];
        peers.push({ ip, names: [peer.name, ...peerAliases] });
      }
    }
    const text = renderHosts({
      hostname: container.hostname,
      own,
      extraHosts: container.extraHosts ?? [],
      peers,
    });
    await writeInPlace(join(containerPaths(root, id).dir, 'hosts'), text).catch(() => undefined);
  }
}

function byAddress([a]: [string, string], [b]: [string, string]): number {
  const n = (ip: string) => ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  return n(a) - n(b);
}

/**
 * Rewrites a file keeping its inode (`w` truncates the same file): a running container sees
 * it through a bind mount, which a rename would leave pointing at the old file.
 */
async function writeInPlace(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o644 });
}

/** The container object's `networks{<net>:{ip,aliases}}` (05 §12.2); `ip` is "" when not running. */
export function networksJson(
  attachments: readonly NetworkAttachment[] | undefined,
): Record<string, { ip: string; aliases: string[] }> {
  const out: Record<string, { ip: string; aliases: string[] }> = {};
  for (const a of attachments ?? []) out[a.network] = { ip: a.ip ?? '', aliases: [...a.aliases] };
  return out;
}

// SPDX-License-Identifier: Apache-2.0
// The firewall in a container's lifecycle (05 §4.6, §4.7): installed at start after the netns
// exists and before the process starts, removed at exit cleanup and rm. Works on the network
// code's records; the container record carries the settings as `firewall`.
import { readFile } from 'node:fs/promises';
import type { EgressAllowJson, IngressAllowJson } from '@verified-container/shared/generate';
import {
  HOST_RUN_DIR,
  readNetnsOwner,
  readNetwork,
  type ConnectedNetworks,
  type NetworkedContainer,
} from '../network/index.js';
import { ContainerRecords } from '../store/container-records.js';
import { withLock } from '../store/locks.js';
import { containerPaths } from '../store/vordr-paths.js';
import {
  installContainerFirewall,
  readFirewallState,
  removeContainerFirewall,
  writeFirewallState,
} from './container-firewall.js';
import { ingressPeerUpdateCommands } from './host-tables.js';
import { runNftBatch } from './nft-cli.js';
import { makePortHolderProbe, type PortHolderName } from './port-holder.js';
import { choosePorts, type PortRequest, type PublishedPort } from './publish-spec.js';

/** What a container record keeps for its firewall (written at create, read at every start). */
export interface FirewallSettings {
  readonly egress: {
    readonly filter: boolean;
    readonly manifest: readonly EgressAllowJson[];
    readonly flags: readonly string[];
  };
  readonly ingress: readonly IngressAllowJson[];
  /** `-p` as parsed by `parsePublishFlags` (host ports chosen at each start). */
  readonly publish: readonly PortRequest[];
}

/** A record as the firewall reads it. */
export interface FirewalledContainer extends NetworkedContainer {
  readonly firewall?: FirewallSettings;
}

export interface StartedFirewall {
  /** Line 6 of 05 §4.8: `egress 7 rules, ingress 5 rules`; undefined when no rules were requested. */
  readonly summary?: string;
  /** Rules in the egress `output` chain and in the ingress chain (0: none installed). */
  readonly egressRules: number;
  readonly ingressRules: number;
  /** The published ports with their host ports (for the record, inspect and ps). */
  readonly ports: PublishedPort[];
  /** For stderr as `! …`; never a failed start. */
  readonly warnings: string[];
}

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * Installs the container's rules after {@link connectContainer}: chooses host ports
 * (`PORT_IN_USE` naming the holder), then the egress table in the netns, the DNAT rules and the
 * ingress chain. Nothing to do for `--network none`.
 */
export async function startFirewall(
  root: string,
  container: FirewalledContainer,
  connected: ConnectedNetworks | undefined,
): Promise<StartedFirewall> {
  const settings = container.firewall;
  if (connected === undefined || settings === undefined) {
    return { egressRules: 0, ingressRules: 0, ports: [], warnings: [] };
  }
  const records = new ContainerRecords<FirewalledContainer>(root);
  const all = await records.list().catch(() => []);
  const names = new Map(all.map((r) => [r.id.slice(0, 12), r.name]));
  const holderName = async (id12: string) => names.get(id12) ?? (await otherStoreName(id12));
  const publish = settings.publish;
  const subnets = new Map<string, string>();
  const peers = new Map<string, string[]>();
  for (const e of settings.ingress) {
    const [kind, name = ''] = e.source.split(/:(.*)/s);
    if (kind === 'network' && !subnets.has(name)) {
      const net = await readNetwork(root, name);
      if (net !== undefined) subnets.set(name, net.subnet);
    } else if (kind === 'container' && !peers.has(name)) {
      peers.set(name, await peerAddresses(root, container, all, name));
    }
  }
  const result = await installContainerFirewall({
    root,
    id: container.id,
    netns: connected.netns,
    networks: connected.interfaces.map((i) => ({
      name: i.network,
      subnet: i.subnet,
      ...(i.internal ? {} : { gateway: i.gateway }),
      internal: i.internal,
      ip: i.ip,
      veth: i.hostVeth,
    })),
    egress: settings.egress,
    ingress: settings.ingress,
    ports: [],
    // 05 §4.6 PORT_IN_USE across stores: the probe of `inet vordr` and the DNAT install happen
    // under one host-wide lock, so two starts cannot both find a port free (docs/decisions.md).
    ...(publish.length > 0
      ? {
          choosePorts: async () => choosePorts(publish, await makePortHolderProbe(holderName)),
          portLock: withPortsLock,
        }
      : {}),
    peerAddresses: (name) => peers.get(name) ?? [],
    networkSubnet: (name) => subnets.get(name),
    // The supervisor re-resolves host entries before their elements expire (05 §4.6).
    elementTimeouts: true,
  });
  await refreshIngressPeers(root, { all, skip: container.id });
  const parts = [
    ...(result.egressRules > 0 ? [`egress ${plural(result.egressRules, 'rule')}`] : []),
    ...(result.ingressRules > 0 ? [`ingress ${plural(result.ingressRules, 'rule')}`] : []),
  ];
  const ports = [...result.ports];
  return {
    ...(parts.length > 0 ? { summary: parts.join(', ') } : {}),
    egressRules: result.egressRules,
    ingressRules: result.ingressRules,
    ports,
    warnings: [...result.warnings, ...publishedIngressWarnings(ports, settings.ingress)],
  };
}

/** The host-wide lock under `/run/vordr` held from the port probe until the DNAT rules are in. */
export const PORTS_LOCK = 'ports';

/** Runs `fn` (choose host ports, install their DNAT rules) under the host-wide `ports` lock. */
export function withPortsLock<T>(fn: () => Promise<T>): Promise<T> {
  return withLock(HOST_RUN_DIR, PORTS_LOCK, fn);
}

/**
 * The name and store of another store's container, found through the host-wide netns owners
 * (05 §13); undefined when that store or record is gone.
 */
async function otherStoreName(id12: string): Promise<PortHolderName | undefined> {
  const owner = await readNetnsOwner(HOST_RUN_DIR, id12);
  if (owner === undefined) return undefined;
  try {
    const text = await readFile(containerPaths(owner.root, owner.id).record, 'utf8');
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === 'string' ? { name, store: owner.root } : undefined;
  } catch {
    return undefined;
  }
}

/** Addresses of running peers named or aliased `name` on a network shared with `container`. */
async function peerAddresses(
  root: string,
  container: FirewalledContainer,
  all: readonly FirewalledContainer[],
  name: string,
): Promise<string[]> {
  const out: string[] = [];
  for (const attachment of container.networkAttachments ?? []) {
    const net = await readNetwork(root, attachment.network);
    for (const [ip, id] of Object.entries(net?.leases ?? {})) {
      if (id === container.id) continue;
      const peer = all.find((r) => r.id === id);
      const onNet = peer?.networkAttachments?.find((a) => a.network === attachment.network);
      if (peer !== undefined && (peer.name === name || (onNet?.aliases ?? []).includes(name))) {
        out.push(ip);
      }
    }
  }
  return out;
}

/**
 * Removes the container's rules (exit cleanup, rm; call before the netns is deleted) and drops its
 * addresses from the peers' `container:<name>` sets.
 */
export async function stopFirewall(root: string, container: FirewalledContainer): Promise<void> {
  if ((container.networkAttachments ?? []).length === 0) return;
  // startFirewall installs nothing without settings: only the peers' sets may name this one.
  if (container.firewall !== undefined) await removeContainerFirewall(root, container.id);
  await refreshIngressPeers(root, { skip: container.id, gone: container.id });
}

/**
 * Re-fills the `container:<name>` sets of every container whose ingress rules have one (05 §4.6:
 * "a set kept current as peers start and stop"), from the current leases; `gone` is a container
 * that is stopping and no longer counts. State files follow, so `check` sees the same addresses.
 */
export async function refreshIngressPeers(
  root: string,
  opts: { all?: readonly FirewalledContainer[]; skip?: string; gone?: string } = {},
): Promise<void> {
  const all =
    opts.all ?? (await new ContainerRecords<FirewalledContainer>(root).list().catch(() => []));
  const others = all.filter((r) => r.id !== opts.gone);
  for (const container of all) {
    if (container.id === opts.skip || !needsPeers(container)) continue;
    const state = await readFirewallState(root, container.id);
    if (state?.ingress === undefined) continue;
    const commands: string[] = [];
    const entries = [];
    for (const [n, e] of state.ingress.entries.entries()) {
      // An unknown `network:` source is kept as an empty peer set named by the source itself.
      if (e.source.kind !== 'peers' || e.source.name.includes(':')) {
        entries.push(e);
        continue;
      }
      const addresses = await peerAddresses(root, container, others, e.source.name);
      commands.push(...ingressPeerUpdateCommands(container.id, n, addresses));
      entries.push({ ...e, source: { ...e.source, addresses } });
    }
    if (commands.length === 0) continue;
    try {
      await runNftBatch(`peers-${container.id.slice(0, 12)}`, commands);
      await writeFirewallState(root, container.id, {
        ...state,
        ingress: { ...state.ingress, entries },
      });
    } catch {
      // the peer stopped meanwhile: its chain and sets are gone with it
    }
  }
}

function needsPeers(container: FirewalledContainer): boolean {
  return (container.firewall?.ingress ?? []).some((e) => e.source.startsWith('container:'));
}

/** 05 §4.6: traffic through a published port is routed, not bridged; ingress entries do not limit it. */
export function publishedIngressWarnings(
  ports: readonly PortRequest[],
  ingress: readonly IngressAllowJson[],
): string[] {
  return ports
    .filter((p) => ingress.some((e) => e.port === p.containerPort && e.protocol === p.protocol))
    .map(
      (p) =>
        `published port ${p.containerPort}/${p.protocol} is also limited by an ingress entry; ` +
        'traffic through the published port is routed and not subject to it',
    );
}

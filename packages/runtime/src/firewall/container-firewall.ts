// SPDX-License-Identifier: Apache-2.0
// A container's firewall (05 §4.6): the egress table in its netns, its published ports in
// `inet vordr` and its ingress chain in `bridge vordr`. The rule files stay in
// `containers/<id>/nft/`, with `state.json` recording what was installed for `vordr check`.
import { Resolver } from 'node:dns/promises';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VcError } from '@verified-container/shared';
import type { EgressAllowJson, IngressAllowJson } from '@verified-container/shared/generate';
import { containerPaths } from '../store/index.js';
import { collectEgressEntries, type EgressEntry } from './egress-entries.js';
import { elementTimeoutSeconds } from './egress-refresh-schedule.js';
import {
  EGRESS_TABLE,
  egressRules,
  renderEgressTable,
  type AttachedNetwork,
  type HostAddresses,
} from './egress-table.js';
import {
  HOST_TABLE,
  containerTag,
  deleteTaggedCommands,
  ingressChain,
  ingressCommands,
  ingressRules,
  parseNftListing,
  publishCommands,
  removeIngressCommands,
  type IngressEntry,
  type IngressSource,
} from './host-tables.js';
import { isIpv4, parseIpv4Cidr } from './ipv4.js';
import { listNftJson, loadNftFile, runNft } from './nft-cli.js';
import type { PublishedPort } from './publish-spec.js';

/** One network of the container as B's network code knows it. */
export interface FirewallNetwork {
  readonly name: string;
  /** `10.89.0.0/24`. */
  readonly subnet: string;
  /** Undefined for internal networks. */
  readonly gateway?: string;
  readonly internal: boolean;
  /** The container's address on it. */
  readonly ip: string;
  /** The host-side veth (`vh<10 hex><n>`). */
  readonly veth: string;
}

export interface ContainerFirewallInput {
  readonly root: string;
  readonly id: string;
  /** The netns name under /run/netns (`vordr-<id12>`). */
  readonly netns: string;
  /** In `--network` order; empty for `--network none`. */
  readonly networks: readonly FirewallNetwork[];
  /** The effective profile's egress settings (05 §4.3). */
  readonly egress: {
    readonly filter: boolean;
    readonly manifest: readonly EgressAllowJson[];
    readonly flags: readonly string[];
  };
  readonly ingress: readonly IngressAllowJson[];
  /** Published ports with host ports chosen ({@link choosePorts}). */
  readonly ports: readonly PublishedPort[];
  /**
   * Chooses the published ports right before their DNAT rules go in (replacing `ports`), so
   * that `portLock` can hold the host-wide port claim from the probe until the rules are in.
   */
  readonly choosePorts?: () => Promise<readonly PublishedPort[]>;
  /** Runs the port choice and the DNAT install under the host-wide `ports` lock (05 §4.6). */
  readonly portLock?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** `container:<name>` sources: addresses of running peers with that name or alias. */
  readonly peerAddresses?: (name: string) => readonly string[];
  /** `network:<name>` sources: that network's subnet. */
  readonly networkSubnet?: (name: string) => string | undefined;
  /** Let resolved host elements time out (only when a supervisor re-resolves them). */
  readonly elementTimeouts?: boolean;
  /** Resolves a `host` entry (default: the host's resolvers via node:dns). */
  readonly resolveHost?: (host: string) => Promise<HostAddresses>;
}

/** What `vordr check` compares against (containers/<id>/nft/state.json). */
export interface FirewallState {
  readonly netns: string;
  readonly networks: readonly FirewallNetwork[];
  readonly egress?: {
    readonly entries: readonly EgressEntry[];
    /** Normalised `nft -j list table inet vordr_egress` right after the install. */
    readonly snapshot: string;
    readonly rules: number;
  };
  readonly ingress?: {
    readonly entries: readonly IngressEntry[];
    readonly snapshot: string;
    readonly rules: number;
  };
  readonly ports: readonly PublishedPort[];
}

export interface FirewallResult {
  /** Rules in the egress `output` chain (0: no filter). */
  readonly egressRules: number;
  readonly ingressRules: number;
  /** Unresolved hosts, skipped entries; for stderr, never a failure. */
  readonly warnings: string[];
  readonly state: FirewallState;
  /** The published ports as installed (`choosePorts`'s, else the input's). */
  readonly ports: readonly PublishedPort[];
}

export function firewallDir(root: string, id: string): string {
  return join(containerPaths(root, id).dir, 'nft');
}

/** Pure validation before anything is created: the allowlist entries (`USAGE`, at most 256). */
export function validateEgress(egress: ContainerFirewallInput['egress']): void {
  if (egress.filter) collectEgressEntries(egress.manifest, egress.flags);
}

/**
 * Whether an egress setting has `host` or `pattern` entries, which the supervisor keeps current
 * (05 §4.6, §4.7). Invalid settings (refused at create) count as none.
 */
export function hasResolvedEgress(egress: ContainerFirewallInput['egress'] | undefined): boolean {
  if (egress?.filter !== true) return false;
  try {
    return collectEgressEntries(egress.manifest, egress.flags).entries.some(
      (e) => e.kind !== 'cidr',
    );
  } catch {
    return false;
  }
}

const DEFAULT_RESOLVER_TIMEOUT_MS = 2000;

/**
 * The DNS servers of `VORDR_DNS_SERVERS` (`IP[:PORT]`, comma-separated; for tests and special
 * setups), or undefined for the host's resolvers. A malformed value is `USAGE`.
 */
export function dnsServersFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): string[] | undefined {
  const text = env['VORDR_DNS_SERVERS']?.trim();
  if (text === undefined || text === '') return undefined;
  return text.split(',').map((item) => {
    const [ip = '', port, ...rest] = item.trim().split(':');
    const portOk = port === undefined || (/^[0-9]{1,5}$/.test(port) && Number(port) <= 65535);
    if (!isIpv4(ip) || !portOk || rest.length > 0 || Number(port) === 0) {
      throw new VcError('USAGE', `invalid VORDR_DNS_SERVERS entry ${JSON.stringify(item)}`, {
        hint: 'comma-separated IPv4 servers with optional ports, e.g. 127.0.0.1:5353',
      });
    }
    return port === undefined ? ip : `${ip}:${port}`;
  });
}

/**
 * Resolves A records with TTLs through `servers` (default: `VORDR_DNS_SERVERS`, else the host's
 * resolvers); element timeout 2 × TTL, at least 60 s.
 */
export async function resolveWithNodeDns(
  host: string,
  servers: readonly string[] | undefined = dnsServersFromEnv(process.env),
): Promise<HostAddresses> {
  const resolver = new Resolver({ timeout: DEFAULT_RESOLVER_TIMEOUT_MS, tries: 1 });
  if (servers !== undefined) resolver.setServers([...servers]);
  const records = await resolver.resolve4(host, { ttl: true });
  const valid = records.filter((r) => isIpv4(r.address));
  const ttl = Math.min(...valid.map((r) => r.ttl));
  const known = Number.isFinite(ttl) ? ttl : 30;
  return {
    addresses: valid.map((r) => r.address),
    timeoutSeconds: elementTimeoutSeconds(known),
    ttl: known,
  };
}

function attached(networks: readonly FirewallNetwork[]): AttachedNetwork[] {
  return networks.map((n) => {
    const subnet = parseIpv4Cidr(n.subnet);
    if (subnet === undefined) throw new Error(`network ${n.name}: bad subnet ${n.subnet}`);
    return {
      subnet,
      ...(!n.internal && n.gateway !== undefined ? { gateway: n.gateway } : {}),
    };
  });
}

/** Keys and element values change on their own (handles, timeouts): left out of comparisons. */
export function normaliseListing(
  json: string | undefined,
  keep?: (item: object) => boolean,
): string {
  if (json === undefined) return '[]';
  const doc = JSON.parse(json) as { nftables?: Record<string, Record<string, unknown>>[] };
  const items = (doc.nftables ?? [])
    .filter((item) => !('metainfo' in item))
    .filter((item) => keep === undefined || keep(item))
    .map((item) => {
      const [kind, body] = Object.entries(item)[0] ?? ['', {}];
      const rest = { ...body };
      delete rest['handle'];
      delete rest['elem'];
      return { [kind]: rest };
    });
  return JSON.stringify(items);
}

/** The ingress part of a `bridge vordr` listing that belongs to one container. */
export function ingressSnapshot(json: string | undefined, id: string): string {
  const chain = ingressChain(id);
  const tag = containerTag(id);
  const prefix = `peers_${id.slice(0, 12)}_`;
  return normaliseListing(json, (item) => {
    const body = Object.values(item)[0] as Record<string, unknown>;
    if ('rule' in item) return body['chain'] === chain || body['comment'] === tag;
    if ('chain' in item) return body['name'] === chain;
    if ('set' in item) return String(body['name']).startsWith(prefix);
    return false;
  });
}

function ingressEntries(input: ContainerFirewallInput): IngressEntry[] {
  return input.ingress.map((e) => {
    let source: IngressSource;
    const [kind, name = ''] = e.source.split(/:(.*)/s);
    if (e.source === 'any') source = { kind: 'any' };
    else if (kind === 'container') {
      const addresses = (input.peerAddresses?.(name) ?? []).filter(isIpv4);
      source = { kind: 'peers', name, addresses };
    } else {
      const text = kind === 'network' ? input.networkSubnet?.(name) : e.source;
      const cidr = text === undefined ? undefined : parseIpv4Cidr(text);
      // An unknown network or IPv6 block matches nothing: an empty peer set keeps the entry closed.
      source =
        cidr === undefined
          ? { kind: 'peers', name: e.source, addresses: [] }
          : { kind: 'cidr', cidr };
    }
    return { port: e.port, protocol: e.protocol, source };
  });
}

/**
 * Installs the container's rules before its process starts: the egress table inside the netns
 * (when the profile has an allowlist), the published ports and the ingress chain on the host.
 * Rules already present for the id are replaced. A `host` entry that does not resolve leaves its
 * set empty with a warning.
 */
export async function installContainerFirewall(
  input: ContainerFirewallInput,
): Promise<FirewallResult> {
  const dir = firewallDir(input.root, input.id);
  await mkdir(dir, { recursive: true });
  const warnings: string[] = [];
  await removeHostRules(input.id);

  // Published ports first, in their own short section: chosen and installed as DNAT rules in
  // `inet vordr` while the caller's host-wide lock is held, so no other start can pass the same
  // probe meanwhile (docs/decisions.md).
  const first = input.networks.find((n) => !n.internal);
  const publish = async (): Promise<readonly PublishedPort[]> => {
    const ports = input.choosePorts !== undefined ? await input.choosePorts() : input.ports;
    if (ports.length === 0) return ports;
    if (first === undefined) {
      throw new VcError('PROFILE_CONFLICT', '-p needs a non-internal network (05 §4.3)');
    }
    const rules = publishCommands(input.id, first.ip, ports);
    await loadNftFile(join(dir, 'ports.nft'), `${rules.join('\n')}\n`);
    return ports;
  };
  const ports = input.portLock !== undefined ? await input.portLock(publish) : await publish();

  let egress: FirewallState['egress'];
  if (input.egress.filter) {
    const collected = collectEgressEntries(input.egress.manifest, input.egress.flags);
    warnings.push(...collected.warnings);
    const resolve = input.resolveHost ?? resolveWithNodeDns;
    const resolved = new Map<string, HostAddresses>();
    for (const e of collected.entries) {
      if (e.kind !== 'host' || resolved.has(e.host)) continue;
      try {
        resolved.set(e.host, await resolve(e.host));
      } catch (err) {
        warnings.push(
          `egress host ${e.host} did not resolve (${(err as Error).message}); its set stays empty`,
        );
        resolved.set(e.host, { addresses: [], timeoutSeconds: 60 });
      }
    }
    const plan = {
      networks: attached(input.networks),
      entries: collected.entries,
      resolved,
      elementTimeouts: input.elementTimeouts === true,
    };
    await loadNftFile(join(dir, 'egress.nft'), renderEgressTable(plan), { netns: input.netns });
    const listing = await listNftJson(['table', 'inet', EGRESS_TABLE], { netns: input.netns });
    egress = {
      entries: collected.entries,
      snapshot: normaliseListing(listing),
      rules: egressRules(plan).length,
    };
  }

  const host: string[] = [];
  let ingress: FirewallState['ingress'];
  const entries = ingressEntries(input);
  const veths = input.networks.map((n) => n.veth);
  const ingressText = ingressCommands(input.id, veths, entries);
  host.push(...ingressText);
  if (host.length > 0) await loadNftFile(join(dir, 'host.nft'), `${host.join('\n')}\n`);
  if (ingressText.length > 0) {
    const listing = await listNftJson(['table', 'bridge', HOST_TABLE]);
    ingress = {
      entries,
      snapshot: ingressSnapshot(listing, input.id),
      rules: ingressRules(input.id, entries).length,
    };
  }

  const state: FirewallState = {
    netns: input.netns,
    networks: input.networks,
    ...(egress !== undefined ? { egress } : {}),
    ...(ingress !== undefined ? { ingress } : {}),
    ports,
  };
  await writeFirewallState(input.root, input.id, state);
  return {
    egressRules: egress?.rules ?? 0,
    ingressRules: ingress?.rules ?? 0,
    warnings,
    state,
    ports,
  };
}

/** Writes containers/<id>/nft/state.json. */
export async function writeFirewallState(
  root: string,
  id: string,
  state: FirewallState,
): Promise<void> {
  await writeFile(join(firewallDir(root, id), 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** The recorded state of an installed firewall, or undefined. */
export async function readFirewallState(
  root: string,
  id: string,
): Promise<FirewallState | undefined> {
  try {
    return JSON.parse(
      await readFile(join(firewallDir(root, id), 'state.json'), 'utf8'),
    ) as FirewallState;
  } catch {
    return undefined;
  }
}

/** Deletes the container's published ports and ingress chain from the host tables (idempotent). */
async function removeHostRules(id: string): Promise<void> {
  const commands: string[] = [];
  const inet = await listNftJson(['table', 'inet', HOST_TABLE]);
  if (inet !== undefined)
    commands.push(...deleteTaggedCommands(parseNftListing(inet), containerTag(id)));
  const bridge = await listNftJson(['table', 'bridge', HOST_TABLE]);
  if (bridge !== undefined) commands.push(...removeIngressCommands(parseNftListing(bridge), id));
  if (commands.length > 0) {
    const path = join(tmpdir(), `vordr-nft-rm-${id.slice(0, 12)}-${process.pid}.nft`);
    try {
      await loadNftFile(path, `${commands.join('\n')}\n`);
    } finally {
      await rm(path, { force: true });
    }
  }
}

/**
 * Removes everything the container's firewall added (at exit, cleanup and rm; idempotent): its host
 * rules, the egress table when the netns still exists, and the state file.
 */
export async function removeContainerFirewall(
  root: string,
  id: string,
  netns?: string,
): Promise<void> {
  await removeHostRules(id);
  if (netns !== undefined) {
    try {
      await runNft(['delete', 'table', 'inet', EGRESS_TABLE], { netns });
    } catch {
      // the netns or the table is already gone
    }
  }
  await rm(join(firewallDir(root, id), 'state.json'), { force: true });
}

// SPDX-License-Identifier: Apache-2.0
// Networks of a store (05 §10.3, §13): `vordr/networks/<name>.json` under the `net-<name>` lock.
// Subnets and bridges are host-wide while stores are not (tests run many stores at once), so
// every subnet is also reserved in a host registry under a host-wide lock (docs/decisions.md).
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { VcError, formatRfc3339Utc } from '@verified-container/shared';
import { installNetworkRules, removeNetworkRules } from '../firewall/index.js';
import { parseIpv4Cidr, type Ipv4Cidr } from '../firewall/ipv4.js';
import { readUsageRecords } from '../image-load/container-usage.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import { readRecordText } from '../store/record-file.js';
import { assertNameFree, assertValidName, isValidName } from '../store/container-name.js';
import { withLock } from '../store/locks.js';
import { vordrPaths } from '../store/vordr-paths.js';
import { deleteBridge, deleteNetns, ensureBridge, hostIpv4Blocks } from './host-net.js';
import {
  DEFAULT_NETWORK,
  DEFAULT_SUBNET,
  chooseGateway,
  chooseSubnet,
  formatSubnet,
  parseSubnetFlag,
  releaseAddresses,
} from './ipam.js';
import { forgetNetnsOwner, sweepOrphanNetns } from './netns-owners.js';
import { parseNetworkRecord, type NetworkRecord } from './network-record.js';

/** The store whose default network gets bridge `vordr0` and 10.89.0.0/24 (05 §4.6). */
export const DEFAULT_STORE_ROOT = '/var/lib/verified-container';
/** Host-wide state shared by every store: the subnet registry and its lock. */
export const HOST_RUN_DIR = '/run/vordr';

export function networkFile(root: string, name: string): string {
  assertValidName(name, 'network');
  return join(vordrPaths(root).networks, `${name}.json`);
}

/** Runs `fn` under the network's lock `net-<name>`. */
export function withNetworkLock<T>(root: string, name: string, fn: () => Promise<T>): Promise<T> {
  return withLock(root, `net-${name}`, fn);
}

export async function readNetwork(root: string, name: string): Promise<NetworkRecord | undefined> {
  if (!isValidName(name)) return undefined;
  const path = networkFile(root, name);
  const text = await readRecordText(path);
  if (text === undefined) return undefined;
  return parseNetworkRecord(text, path);
}

/** The record of `name`, else NETWORK_NOT_FOUND. */
export async function getNetwork(root: string, name: string): Promise<NetworkRecord> {
  assertValidName(name, 'network');
  const record = await readNetwork(root, name);
  if (record === undefined) {
    throw new VcError('NETWORK_NOT_FOUND', `no such network: ${name}`, {
      hint: 'list networks with vordr network ls; create one with vordr network create',
    });
  }
  return record;
}

export async function writeNetwork(root: string, record: NetworkRecord): Promise<void> {
  await fs.mkdir(vordrPaths(root).networks, { recursive: true, mode: 0o755 });
  await writeFileAtomic(networkFile(root, record.name), `${JSON.stringify(record, null, 2)}\n`);
}

/** Every network, sorted by name. */
export async function listNetworks(root: string): Promise<NetworkRecord[]> {
  const dir = vordrPaths(root).networks;
  let files: string[];
  try {
    files = await fs.readdir(dir);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new VcError('READ_FAILED', `cannot list ${dir}`, { cause });
  }
  const out: NetworkRecord[] = [];
  for (const file of files.sort()) {
    if (!file.endsWith('.json')) continue;
    const record = await readNetwork(root, file.slice(0, -'.json'.length));
    if (record !== undefined) out.push(record);
  }
  return out;
}

export interface CreateNetworkOptions {
  readonly name: string;
  readonly internal?: boolean;
  readonly subnet?: string;
  readonly gateway?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly now: Date;
}

/** One reservation of the host registry. */
interface Reservation {
  readonly subnet: string;
  readonly root: string;
  readonly network: string;
  readonly bridge: string;
}

function registryPath(hostDir: string): string {
  return join(hostDir, 'subnets.json');
}

async function readRegistry(hostDir: string): Promise<Reservation[]> {
  try {
    const v = JSON.parse(await fs.readFile(registryPath(hostDir), 'utf8')) as unknown;
    return Array.isArray(v) ? (v as Reservation[]) : [];
  } catch {
    return [];
  }
}

async function writeRegistry(hostDir: string, entries: readonly Reservation[]): Promise<void> {
  await fs.mkdir(hostDir, { recursive: true, mode: 0o755 });
  await writeFileAtomic(registryPath(hostDir), `${JSON.stringify(entries, null, 2)}\n`);
}

/**
 * Drops reservations whose network no longer exists with that subnet (a store removed without
 * `network rm`, as tests do) and deletes their bridges. The caller holds the host lock.
 */
async function pruneRegistry(entries: readonly Reservation[]): Promise<Reservation[]> {
  const kept: Reservation[] = [];
  for (const entry of entries) {
    // Only a record that is missing or names another subnet or bridge makes the entry stale; an
    // unreadable one keeps it (deleting a live bridge would cut its containers off).
    const record = await readNetwork(entry.root, entry.network).catch(() => entry);
    if (record !== undefined && record.subnet === entry.subnet && record.bridge === entry.bridge) {
      kept.push(entry);
    } else {
      await removeNetworkRules(entry.bridge).catch(() => undefined);
      await deleteBridge(entry.bridge);
    }
  }
  return kept;
}

/**
 * Creates a network (05 §10.3): validates the name and flags, reserves the subnet host-wide
 * (SUBNET_OVERLAP / SUBNET_EXHAUSTED), creates the bridge and writes the record.
 */
export async function createNetwork(
  root: string,
  opts: CreateNetworkOptions,
  hostDir: string = HOST_RUN_DIR,
): Promise<NetworkRecord> {
  assertValidName(opts.name, 'network');
  const requested = opts.subnet !== undefined ? parseSubnetFlag(opts.subnet) : undefined;
  if (opts.gateway !== undefined && requested === undefined) {
    throw new VcError('USAGE', '--gateway needs --subnet');
  }
  const isDefaultStore = resolve(root) === DEFAULT_STORE_ROOT;
  const isDefault = opts.name === DEFAULT_NETWORK;
  const absRoot = resolve(root);
  return withLock(root, 'networks', () =>
    withLock(hostDir, 'subnets', async () => {
      const existing = await listNetworks(root);
      assertNameFree(opts.name, new Set(existing.map((n) => n.name)), 'network');
      // Host-wide leftovers of stores deleted without cleanup (tests, crashes): 05 §13.
      await sweepOrphanNetns(hostDir);
      const registry = await pruneRegistry(await readRegistry(hostDir));
      const taken: { cidr: Ipv4Cidr; what: string }[] = [
        ...registry.map((r) => ({
          cidr: parseIpv4Cidr(r.subnet)!,
          what: `network ${r.network}${r.root === absRoot ? '' : ` of the store ${r.root}`}`,
        })),
        ...(await hostIpv4Blocks()),
      ];
      const subnet = chooseSubnet(
        taken,
        requested ?? (isDefault && isDefaultStore ? parseSubnetFlag(DEFAULT_SUBNET) : undefined),
      );
      const id = randomBytes(32).toString('hex');
      const record: NetworkRecord = {
        id,
        name: opts.name,
        bridge: isDefault && isDefaultStore ? 'vordr0' : `vc-${id.slice(0, 10)}`,
        subnet: formatSubnet(subnet),
        gateway: chooseGateway(subnet, opts.gateway),
        internal: opts.internal === true,
        labels: { ...(opts.labels ?? {}) },
        createdAt: formatRfc3339Utc(opts.now),
        leases: {},
      };
      await writeRegistry(hostDir, [
        ...registry,
        { subnet: record.subnet, root: absRoot, network: record.name, bridge: record.bridge },
      ]);
      try {
        await ensureBridge(record);
        await installNetworkRules(record);
        await writeNetwork(root, record);
      } catch (err) {
        await removeNetworkRules(record.bridge).catch(() => undefined);
        await deleteBridge(record.bridge);
        await writeRegistry(hostDir, registry);
        throw err;
      }
      return record;
    }),
  );
}

/**
 * The network `name` for `run`: the existing record, or a new one (`created: true`; 05 §10.3:
 * `run --network web` creates a missing `web`).
 */
export async function ensureNetwork(
  root: string,
  name: string,
  now: Date,
  hostDir: string = HOST_RUN_DIR,
): Promise<{ record: NetworkRecord; created: boolean }> {
  const found = await readNetwork(root, name);
  if (found !== undefined) return { record: found, created: false };
  try {
    return { record: await createNetwork(root, { name, now }, hostDir), created: true };
  } catch (err) {
    // Created by a concurrent run meanwhile.
    if (err instanceof VcError && err.code === 'NAME_IN_USE') {
      return { record: await getNetwork(root, name), created: false };
    }
    throw err;
  }
}

/** The names of the containers whose records attach to `name`. */
export async function networkUsers(root: string, name: string): Promise<string[]> {
  const records = (await readUsageRecords(root)) as unknown as {
    name: string;
    networkAttachments?: readonly { network: string }[];
  }[];
  return records
    .filter((r) => (r.networkAttachments ?? []).some((n) => n.network === name))
    .map((r) => r.name);
}

/**
 * Removes networks: each must exist (NETWORK_NOT_FOUND) and have no container (IN_USE); then
 * the bridge, the record and the host reservation go.
 */
export async function removeNetworks(
  root: string,
  names: readonly string[],
  hostDir: string = HOST_RUN_DIR,
): Promise<string[]> {
  for (const name of names) {
    const record = await getNetwork(root, name);
    const users = await networkUsers(root, name);
    if (users.length > 0 || Object.keys(record.leases).length > 0) {
      const who = users.length > 0 ? users : Object.values(record.leases);
      throw new VcError(
        'IN_USE',
        `network ${name} is in use by the container${who.length === 1 ? '' : 's'} ${who.join(', ')}`,
        { hint: 'remove the containers first (vordr rm -f …)' },
      );
    }
  }
  const absRoot = resolve(root);
  for (const name of names) {
    await withNetworkLock(root, name, async () => {
      const record = await readNetwork(root, name);
      if (record === undefined) return;
      await removeNetworkRules(record.bridge);
      await deleteBridge(record.bridge);
      await fs.rm(networkFile(root, name), { force: true });
      await withLock(hostDir, 'subnets', async () => {
        const registry = await readRegistry(hostDir);
        await writeRegistry(
          hostDir,
          registry.filter((r) => !(r.root === absRoot && r.network === name)),
        );
      });
    });
  }
  return [...names];
}

/**
 * Drops the leases whose holder `isLive` denies (a container removed or stopped without its
 * cleanup, 05 §13) and deletes what such a holder may have left: its netns and host veths.
 * `isLive` must wait for a start in progress (take the container's lock). Returns the ids dropped.
 */
export async function pruneLeases(
  root: string,
  isLive: (containerId: string) => Promise<boolean>,
): Promise<string[]> {
  const dropped = new Set<string>();
  for (const network of await listNetworks(root)) {
    const holders = [...new Set(Object.values(network.leases))];
    const dead: string[] = [];
    for (const id of holders) if (!(await isLive(id))) dead.push(id);
    if (dead.length === 0) continue;
    await withNetworkLock(root, network.name, async () => {
      const record = await readNetwork(root, network.name);
      if (record === undefined) return;
      for (const id of dead) releaseAddresses(record.leases, id);
      await writeNetwork(root, record);
    });
    dead.forEach((id) => dropped.add(id));
  }
  for (const id of dropped) {
    await deleteNetns(id, MAX_INTERFACES);
    await forgetNetnsOwner(HOST_RUN_DIR, id);
  }
  return [...dropped];
}

/** The most interfaces a container has (05 §15: at most 8 networks). */
const MAX_INTERFACES = 8;

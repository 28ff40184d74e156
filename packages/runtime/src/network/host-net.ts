// SPDX-License-Identifier: Apache-2.0
// The host side of 05 §4.6: bridges, network namespaces and veths through iproute2. Every
// command goes through `ip -batch` (one process for many changes); names and addresses reach it
// only after validation (they are generated or parsed by ipam.ts).
import { execFile, spawn } from 'node:child_process';
import { access, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { VcError } from '@verified-container/shared';
import { findExecutable } from '../engine/host-process.js';
import { parseIpv4Cidr, type Ipv4Cidr } from '../firewall/ipv4.js';

const execFileAsync = promisify(execFile);

const IP_HINT = 'install iproute2';

let ipPath: Promise<string> | undefined;
function ip(): Promise<string> {
  ipPath ??= findExecutable('ip', IP_HINT);
  return ipPath;
}

/** Runs `ip [prefix…] -batch -` with `lines` on stdin; `-force` goes on past failing lines. */
async function ipBatch(
  lines: readonly string[],
  opts: { readonly force?: boolean; readonly prefix?: readonly string[] } = {},
): Promise<void> {
  if (lines.length === 0) return;
  const bin = await ip();
  const args = [...(opts.prefix ?? []), ...(opts.force === true ? ['-force'] : []), '-batch', '-'];
  await runWithStdin(bin, args, `${lines.join('\n')}\n`, opts.force === true);
}

function runWithStdin(
  bin: string,
  args: string[],
  input: string,
  tolerant: boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0 || tolerant) resolve();
      else
        reject(
          new VcError('NETWORK_SETUP_FAILED', `ip ${args.join(' ')} failed: ${stderr.trim()}`, {
            details: { input },
          }),
        );
    });
    child.stdin.end(input);
  });
}

/** The netns of a container: `vordr-<id12>` (05 §4.6). */
export function netnsName(containerId: string): string {
  return `vordr-${containerId.slice(0, 12)}`;
}

export function netnsPath(containerId: string): string {
  return `/run/netns/${netnsName(containerId)}`;
}

/** The host side of a container's n-th veth: `vh<10 hex of id><n>`. */
export function hostVethName(containerId: string, index: number): string {
  return `vh${containerId.slice(0, 10)}${index}`;
}

/** A bridge as vordr wants it. */
export interface BridgeSpec {
  readonly bridge: string;
  readonly subnet: string;
  readonly gateway: string;
  readonly internal: boolean;
}

/** Whether a link exists in the host netns (sysfs: no process to start). */
async function linkExists(name: string): Promise<boolean> {
  return access(`/sys/class/net/${name}`).then(
    () => true,
    () => false,
  );
}

/**
 * Creates the bridge when missing and brings it up; a non-internal one holds the gateway, and
 * the host forwards (`ip_forward`, the bridge's `route_localnet`). Idempotent; true when the
 * bridge had to be created.
 */
export async function ensureBridge(
  spec: BridgeSpec,
  opts: { readonly onlyIfMissing?: boolean } = {},
): Promise<boolean> {
  const prefix = spec.subnet.split('/')[1]!;
  const missing = !(await linkExists(spec.bridge));
  // A start trusts a bridge that exists (set up by `network create`): two processes fewer.
  if (!missing && opts.onlyIfMissing === true) return false;
  if (missing) {
    await ipBatch([`link add ${spec.bridge} type bridge`]).catch(async (err: unknown) => {
      // Another process may have created it meanwhile.
      if (!(await linkExists(spec.bridge))) throw err;
    });
  }
  // IPv4 only (05 §4.6): no link-local IPv6 address on the bridge either.
  await writeFile(`/proc/sys/net/ipv6/conf/${spec.bridge}/disable_ipv6`, '1\n').catch(
    () => undefined,
  );
  const lines = [`link set ${spec.bridge} up`];
  // `replace` is idempotent where `add` fails on an existing address.
  if (!spec.internal) lines.push(`addr replace ${spec.gateway}/${prefix} dev ${spec.bridge}`);
  await ipBatch(lines);
  if (!spec.internal) {
    await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
    await writeFile(`/proc/sys/net/ipv4/conf/${spec.bridge}/route_localnet`, '1\n').catch(
      () => undefined,
    );
  }
  return missing;
}

/** Deletes a bridge; a missing one is fine. */
export async function deleteBridge(bridge: string): Promise<void> {
  await ipBatch([`link del ${bridge}`], { force: true });
}

/** One interface of a container (05 §4.6: `eth<n>` in `--network` order). */
export interface ContainerInterface {
  readonly bridge: string;
  readonly hostVeth: string;
  readonly ifname: string;
  readonly ip: string;
  readonly prefix: number;
  /** The default route goes through this interface's gateway. */
  readonly defaultGateway?: string;
}

/**
 * Creates the container's netns with `lo` up and IPv6 disabled, and one veth per interface
 * (host side on its bridge, `eth<n>` inside with its address), plus the default route.
 */
export async function createNetns(
  containerId: string,
  interfaces: readonly ContainerInterface[],
): Promise<void> {
  const ns = netnsName(containerId);
  const host = [`netns add ${ns}`];
  for (const i of interfaces) {
    host.push(`link add ${i.hostVeth} type veth peer name ${i.ifname} netns ${ns}`);
    host.push(`link set ${i.hostVeth} master ${i.bridge} up`);
  }
  await ipBatch(host);
  const inside = ['link set lo up'];
  for (const i of interfaces) {
    inside.push(`addr add ${i.ip}/${i.prefix} dev ${i.ifname}`);
    inside.push(`link set ${i.ifname} up`);
  }
  const route = interfaces.find((i) => i.defaultGateway !== undefined);
  if (route !== undefined) inside.push(`route add default via ${route.defaultGateway}`);
  // One process inside the netns: IPv6 off (before the links come up), then the batch.
  await runWithStdin(
    await ip(),
    [
      'netns',
      'exec',
      ns,
      '/bin/sh',
      '-c',
      'echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 && ' +
        'echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 && exec "$0" -batch -',
      await ip(),
    ],
    `${inside.join('\n')}\n`,
    false,
  );
}

/** Removes the container's netns and host veths (`count` of them); missing ones are fine. */
export async function deleteNetns(containerId: string, count: number): Promise<void> {
  const lines = [`netns del ${netnsName(containerId)}`];
  // The kernel removes a veth with its netns, but not always before `netns del` returns.
  for (let n = 0; n < count; n++) lines.push(`link del ${hostVethName(containerId, n)}`);
  await ipBatch(lines, { force: true });
}

/** Every IPv4 route destination and interface address of the host (05 §4.6 subnet choice). */
export async function hostIpv4Blocks(): Promise<{ cidr: Ipv4Cidr; what: string }[]> {
  const bin = await ip();
  const out: { cidr: Ipv4Cidr; what: string }[] = [];
  const routes = JSON.parse(
    (await execFileAsync(bin, ['-j', '-4', 'route', 'show', 'table', 'all'])).stdout || '[]',
  ) as {
    dst?: string;
    dev?: string;
    type?: string;
  }[];
  for (const r of routes) {
    if (r.dst === undefined || r.dst === 'default') continue;
    if (r.type !== undefined && r.type !== 'unicast') continue;
    const cidr = parseIpv4Cidr(r.dst);
    if (cidr !== undefined && cidr.prefix > 0) {
      out.push({ cidr, what: `host route ${r.dst}${r.dev !== undefined ? ` dev ${r.dev}` : ''}` });
    }
  }
  const links = JSON.parse(
    (await execFileAsync(bin, ['-j', '-4', 'addr', 'show'])).stdout || '[]',
  ) as {
    ifname?: string;
    addr_info?: { local?: string; prefixlen?: number }[];
  }[];
  for (const link of links) {
    for (const a of link.addr_info ?? []) {
      if (a.local === undefined || a.prefixlen === undefined) continue;
      const cidr = parseIpv4Cidr(`${a.local}/${a.prefixlen}`);
      if (cidr !== undefined && !a.local.startsWith('127.')) {
        out.push({ cidr, what: `address ${a.local}/${a.prefixlen} on ${link.ifname ?? '?'}` });
      }
    }
  }
  return out;
}

/** The host-side veths `vh<10 hex>…` that exist, and the netns names `vordr-*`. */
export async function listVordrLinks(): Promise<{ veths: string[]; netns: string[] }> {
  const bin = await ip();
  const links = JSON.parse((await execFileAsync(bin, ['-j', 'link', 'show'])).stdout || '[]') as {
    ifname?: string;
  }[];
  const veths = links.map((l) => l.ifname ?? '').filter((n) => /^vh[0-9a-f]{10}\d$/.test(n));
  const netnsText = (await execFileAsync(bin, ['netns', 'list'])).stdout;
  const netns = netnsText
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => /^vordr-[0-9a-f]{12}$/.test(n));
  return { veths, netns };
}

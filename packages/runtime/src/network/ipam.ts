// SPDX-License-Identifier: Apache-2.0
// Address management of 05 §4.6: subnet choice and address leases. Pure.
import { VcError } from '@verified-container/shared';
import {
  cidrContains,
  formatCidr,
  intToIpv4,
  ipv4ToInt,
  isIpv4,
  parseIpv4Cidr,
  type Ipv4Cidr,
} from '../firewall/ipv4.js';

/** The default network (05 §4.6). */
export const DEFAULT_NETWORK = 'vordr';
export const DEFAULT_SUBNET = '10.89.0.0/24';
/** The first automatic subnet of a non-default network; later ones count up by one /24. */
export const FIRST_AUTO_SUBNET = '10.89.1.0/24';
/** The last /24 tried before SUBNET_EXHAUSTED. */
export const LAST_AUTO_SUBNET = '10.89.255.0/24';

/** `A.B.C.D/N` with `/N` in 8–30 (room for a gateway and a container); else USAGE. */
export function parseSubnetFlag(text: string): Ipv4Cidr {
  const cidr = text.includes('/') ? parseIpv4Cidr(text) : undefined;
  if (cidr === undefined || cidr.prefix < 8 || cidr.prefix > 30) {
    throw new VcError('USAGE', `invalid --subnet ${JSON.stringify(text)}`, {
      hint: 'an IPv4 block A.B.C.D/N with N between 8 and 30, such as 10.89.7.0/24',
    });
  }
  if (cidr.address !== text.split('/')[0]) {
    throw new VcError(
      'USAGE',
      `invalid --subnet ${text}: host bits are set (${formatSubnet(cidr)})`,
    );
  }
  return cidr;
}

/** Always `address/prefix`, also for a /32. */
export function formatSubnet(cidr: Ipv4Cidr): string {
  return `${cidr.address}/${cidr.prefix}`;
}

function size(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** Whether two blocks share an address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const a0 = ipv4ToInt(a.address);
  const b0 = ipv4ToInt(b.address);
  return a0 < b0 + size(b) && b0 < a0 + size(a);
}

/** The gateway: `--gateway` (inside the subnet, not its network or broadcast address) else `.1`. */
export function chooseGateway(subnet: Ipv4Cidr, flag?: string): string {
  const first = ipv4ToInt(subnet.address);
  if (flag === undefined) return intToIpv4(first + 1);
  const n = isIpv4(flag) ? ipv4ToInt(flag) : -1;
  if (
    !isIpv4(flag) ||
    !cidrContains(subnet, flag) ||
    n === first ||
    n === first + size(subnet) - 1
  ) {
    throw new VcError('USAGE', `invalid --gateway ${JSON.stringify(flag)}`, {
      hint: `a host address inside ${formatSubnet(subnet)}`,
    });
  }
  return flag;
}

/**
 * The subnet of a new network: `requested` when it overlaps nothing in `taken` (else
 * SUBNET_OVERLAP naming the block), or the first /24 from `from` up to {@link LAST_AUTO_SUBNET}
 * that overlaps nothing (else SUBNET_EXHAUSTED).
 */
export function chooseSubnet(
  taken: readonly { readonly cidr: Ipv4Cidr; readonly what: string }[],
  requested?: Ipv4Cidr,
  from: string = FIRST_AUTO_SUBNET,
): Ipv4Cidr {
  if (requested !== undefined) {
    const clash = taken.find((t) => cidrsOverlap(t.cidr, requested));
    if (clash !== undefined) {
      throw new VcError(
        'SUBNET_OVERLAP',
        `subnet ${formatSubnet(requested)} overlaps ${formatCidr(clash.cidr)} (${clash.what})`,
        { hint: 'choose another --subnet, or leave it out to get a free one' },
      );
    }
    return requested;
  }
  const start = ipv4ToInt(parseIpv4Cidr(from)!.address);
  const end = ipv4ToInt(parseIpv4Cidr(LAST_AUTO_SUBNET)!.address);
  for (let base = start; base <= end; base += 256) {
    const candidate = { address: intToIpv4(base), prefix: 24 };
    if (!taken.some((t) => cidrsOverlap(t.cidr, candidate))) return candidate;
  }
  throw new VcError(
    'SUBNET_EXHAUSTED',
    `no free /24 left between ${from} and ${LAST_AUTO_SUBNET}`,
    {
      hint: 'remove unused networks (vordr network rm), or give --subnet',
    },
  );
}

/**
 * The lowest free address from `.2` of `subnet` (not the gateway, not the broadcast address, not
 * in `leases`); SUBNET_EXHAUSTED when there is none.
 */
export function lowestFreeAddress(
  subnet: Ipv4Cidr,
  gateway: string,
  leases: Readonly<Record<string, string>>,
  networkName: string,
): string {
  const first = ipv4ToInt(subnet.address);
  const last = first + size(subnet) - 1;
  for (let n = first + 2; n < last; n++) {
    const ip = intToIpv4(n);
    if (ip !== gateway && leases[ip] === undefined) return ip;
  }
  throw new VcError('SUBNET_EXHAUSTED', `network ${networkName} has no free address left`, {
    hint: 'remove containers from it, or create a network with a larger --subnet',
  });
}

/**
 * Leases an address for `containerId` on a network (its existing lease when it has one).
 * Mutates `leases`.
 */
export function leaseAddress(
  network: { readonly name: string; readonly subnet: string; readonly gateway: string },
  leases: Record<string, string>,
  containerId: string,
): string {
  const held = Object.entries(leases).find(([, id]) => id === containerId);
  if (held !== undefined) return held[0];
  const subnet = parseIpv4Cidr(network.subnet)!;
  const ip = lowestFreeAddress(subnet, network.gateway, leases, network.name);
  leases[ip] = containerId;
  return ip;
}

/** Drops every lease of `containerId`; true when one was dropped. Mutates `leases`. */
export function releaseAddresses(leases: Record<string, string>, containerId: string): boolean {
  let dropped = false;
  for (const [ip, id] of Object.entries(leases)) {
    if (id === containerId) {
      delete leases[ip];
      dropped = true;
    }
  }
  return dropped;
}

// SPDX-License-Identifier: Apache-2.0
// The egress table of 05 §4.6: `inet vordr_egress` in the container's netns, chain `output`,
// policy drop. Pure: the text of an `nft -f` file holding only validated literals.
import type { EgressEntry } from './egress-entries.js';
import { formatCidr, isIpv4, type Ipv4Cidr } from './ipv4.js';

export const EGRESS_TABLE = 'vordr_egress';

/** One network the container is attached to; internal networks have no gateway. */
export interface AttachedNetwork {
  readonly subnet: Ipv4Cidr;
  readonly gateway?: string;
}

/** The addresses a `host` entry resolved to at start, and how long they stay in its set. */
export interface HostAddresses {
  readonly addresses: readonly string[];
  /** Element timeout: 2 × TTL, at least 60 s (05 §4.6). */
  readonly timeoutSeconds: number;
  /** The shortest TTL of the answer in seconds, when known (schedules the re-resolution). */
  readonly ttl?: number;
}

export interface EgressPlan {
  readonly networks: readonly AttachedNetwork[];
  readonly entries: readonly EgressEntry[];
  /** By host name; a missing or empty one leaves its set empty. */
  readonly resolved: ReadonlyMap<string, HostAddresses>;
  /**
   * Give resolved elements their timeout. Only when something re-resolves them before they expire
   * (the supervisor of 05 §4.6); otherwise they stay until the next start.
   */
  readonly elementTimeouts?: boolean;
}

/** The named set of each `host` and `pattern` entry: `host_0`, `pattern_0`, … by first use. */
export function egressSetNames(entries: readonly EgressEntry[]): Map<string, string> {
  const names = new Map<string, string>();
  let hosts = 0;
  let patterns = 0;
  for (const e of entries) {
    if (e.kind === 'host' && !names.has(`host:${e.host}`)) {
      names.set(`host:${e.host}`, `host_${hosts++}`);
    } else if (e.kind === 'pattern' && !names.has(`pattern:${e.domain}`)) {
      names.set(`pattern:${e.domain}`, `pattern_${patterns++}`);
    }
  }
  return names;
}

function literal(ip: string): string {
  // Defence in depth: nft would resolve anything that is not an address.
  if (!isIpv4(ip)) throw new Error(`not an IPv4 literal: ${JSON.stringify(ip)}`);
  return ip;
}

/** The DNS resolver the container may use: the gateway of the first non-internal network. */
export function resolverAddress(networks: readonly AttachedNetwork[]): string | undefined {
  return networks.find((n) => n.gateway !== undefined)?.gateway;
}

/** `nft -f` text that (re)creates the table; the number of rules in `output` is {@link egressRuleCount}. */
export function renderEgressTable(plan: EgressPlan): string {
  const sets = egressSetNames(plan.entries);
  const lines: string[] = [
    `table inet ${EGRESS_TABLE} {}`,
    `delete table inet ${EGRESS_TABLE}`,
    `table inet ${EGRESS_TABLE} {`,
  ];
  for (const [key, name] of sets) {
    const host = key.startsWith('host:') ? key.slice(5) : undefined;
    const found = host === undefined ? undefined : plan.resolved.get(host);
    const elements =
      found === undefined || found.addresses.length === 0
        ? ''
        : ` elements = { ${[...new Set(found.addresses)]
            .map((a) =>
              plan.elementTimeouts === true
                ? `${literal(a)} timeout ${Math.max(60, Math.round(found.timeoutSeconds))}s`
                : literal(a),
            )
            .join(', ')} };`;
    lines.push(`  set ${name} { type ipv4_addr; flags timeout;${elements} }`);
  }
  lines.push('  chain output {', '    type filter hook output priority filter; policy drop;');
  for (const rule of egressRules(plan, sets)) lines.push(`    ${rule}`);
  lines.push('  }', '}', '');
  return lines.join('\n');
}

/** The rules of chain `output`, in order. */
export function egressRules(
  plan: EgressPlan,
  sets: ReadonlyMap<string, string> = egressSetNames(plan.entries),
): string[] {
  const rules = ['oifname "lo" accept', 'ct state established,related accept'];
  const resolver = resolverAddress(plan.networks);
  if (resolver !== undefined) {
    rules.push(`ip daddr ${literal(resolver)} udp dport 53 accept`);
    rules.push(`ip daddr ${literal(resolver)} tcp dport 53 accept`);
  }
  const gateways = plan.networks.flatMap((n) => (n.gateway === undefined ? [] : [n.gateway]));
  for (const net of plan.networks) {
    const except =
      gateways.length === 0
        ? ''
        : gateways.length === 1
          ? `ip daddr != ${literal(gateways[0]!)} `
          : `ip daddr != { ${gateways.map(literal).join(', ')} } `;
    rules.push(`${except}ip daddr ${subnet(net.subnet)} accept`);
  }
  for (const e of plan.entries) {
    const dest =
      e.kind === 'cidr'
        ? subnet(e.cidr)
        : `@${sets.get(e.kind === 'host' ? `host:${e.host}` : `pattern:${e.domain}`)}`;
    rules.push(`ip daddr ${dest} ${e.protocol} dport ${e.port} accept`);
  }
  rules.push('reject with icmpx type admin-prohibited');
  return rules;
}

function subnet(cidr: Ipv4Cidr): string {
  literal(cidr.address);
  return formatCidr(cidr);
}

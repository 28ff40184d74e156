// SPDX-License-Identifier: Apache-2.0
// The host's tables of 05 §4.6 (pure renderers): `inet vordr` (published ports, masquerade, forward
// drops between bridges) and `bridge vordr` (ingress allowlists, stateless: no bridge conntrack).
// Both tables are shared by every container and network on the host, so each piece is added with
// `add` (idempotent) and tagged with a comment; removal deletes by handle what carries the tag.
import type { Protocol } from './egress-entries.js';
import { formatCidr, isIpv4, type Ipv4Cidr } from './ipv4.js';
import type { PublishedPort } from './publish-spec.js';

export const HOST_TABLE = 'vordr';

const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const TAG_WORD = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function ifname(name: string): string {
  if (!IFNAME.test(name)) throw new Error(`not an interface name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

function literal(ip: string): string {
  if (!isIpv4(ip)) throw new Error(`not an IPv4 literal: ${JSON.stringify(ip)}`);
  return ip;
}

function word(text: string): string {
  if (!TAG_WORD.test(text))
    throw new Error(`not usable in a rule comment: ${JSON.stringify(text)}`);
  return text;
}

/** The comment tag of a container's rules: `vordr ctr <id12>`. */
export function containerTag(id: string): string {
  return `vordr ctr ${word(id.slice(0, 12))}`;
}

/** The comment tag of a network's rules: `vordr net <bridge>`. */
export function networkTag(bridge: string): string {
  return `vordr net ${word(bridge)}`;
}

/** The base chains and set of `inet vordr`, created when missing. */
export function inetBaseCommands(): string[] {
  const t = `inet ${HOST_TABLE}`;
  return [
    `add table ${t}`,
    `add chain ${t} prerouting { type nat hook prerouting priority dstnat; policy accept; }`,
    `add chain ${t} output { type nat hook output priority -100; policy accept; }`,
    `add chain ${t} postrouting { type nat hook postrouting priority srcnat; policy accept; }`,
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `add set ${t} bridges { type ifname; }`,
  ];
}

/** One vordr network as the host tables see it. */
export interface BridgeNetwork {
  readonly bridge: string;
  readonly subnet: Ipv4Cidr;
  readonly internal: boolean;
}

/** The rules of one network: masquerade (non-internal) and the forward drops. */
export function networkCommands(net: BridgeNetwork): string[] {
  const t = `inet ${HOST_TABLE}`;
  const br = ifname(net.bridge);
  const c = `comment "${networkTag(net.bridge)}"`;
  const out = [...inetBaseCommands(), `add element ${t} bridges { ${br} }`];
  if (net.internal) {
    out.push(`add rule ${t} forward iifname ${br} oifname != ${br} drop ${c}`);
    out.push(`add rule ${t} forward oifname ${br} iifname != ${br} drop ${c}`);
  } else {
    out.push(`add rule ${t} postrouting oifname ${br} ip saddr 127.0.0.0/8 masquerade ${c}`);
    out.push(
      `add rule ${t} postrouting ip saddr ${cidrText(net.subnet)} oifname != ${br} masquerade ${c}`,
    );
    out.push(`add rule ${t} forward iifname ${br} oifname != ${br} oifname @bridges drop ${c}`);
  }
  return out;
}

/** A container's published ports, as DNAT in `prerouting` and in nat `output` (for 127.0.0.1). */
export function publishCommands(
  id: string,
  containerIp: string,
  ports: readonly PublishedPort[],
): string[] {
  if (ports.length === 0) return [];
  const t = `inet ${HOST_TABLE}`;
  const out = inetBaseCommands();
  for (const p of ports) {
    const daddr = p.hostIp === undefined ? 'fib daddr type local' : `ip daddr ${literal(p.hostIp)}`;
    const c = `comment "${containerTag(id)} ${p.protocol} ${p.hostPort}"`;
    const rule = `${daddr} ${p.protocol} dport ${p.hostPort} dnat ip to ${literal(containerIp)}:${p.containerPort} ${c}`;
    out.push(`add rule ${t} prerouting ${rule}`, `add rule ${t} output ${rule}`);
  }
  return out;
}

/** Where a rule sits and its comment, from `nft -j -a list table`. */
export interface ListedRule {
  readonly family: string;
  readonly table: string;
  readonly chain: string;
  readonly handle: number;
  readonly comment?: string;
}

/** The rules, chains and sets of an `nft -j list …` document. */
export interface NftListing {
  readonly rules: ListedRule[];
  readonly chains: { family: string; table: string; name: string }[];
  readonly sets: { family: string; table: string; name: string }[];
}

/** Parses `nft -j -a list …` output; unknown shapes are ignored. */
export function parseNftListing(json: string): NftListing {
  const doc = JSON.parse(json) as { nftables?: Record<string, unknown>[] };
  const listing: NftListing = { rules: [], chains: [], sets: [] };
  for (const item of doc.nftables ?? []) {
    const rule = item['rule'] as Record<string, unknown> | undefined;
    const chain = item['chain'] as Record<string, unknown> | undefined;
    const set = item['set'] as Record<string, unknown> | undefined;
    if (rule !== undefined) {
      listing.rules.push({
        family: String(rule['family']),
        table: String(rule['table']),
        chain: String(rule['chain']),
        handle: Number(rule['handle']),
        ...(typeof rule['comment'] === 'string' ? { comment: rule['comment'] } : {}),
      });
    } else if (chain !== undefined) {
      listing.chains.push({
        family: String(chain['family']),
        table: String(chain['table']),
        name: String(chain['name']),
      });
    } else if (set !== undefined) {
      listing.sets.push({
        family: String(set['family']),
        table: String(set['table']),
        name: String(set['name']),
      });
    }
  }
  return listing;
}

/** Commands deleting every rule whose comment is `tag` or starts with `tag `. */
export function deleteTaggedCommands(listing: NftListing, tag: string): string[] {
  return listing.rules
    .filter((r) => r.comment === tag || (r.comment?.startsWith(`${tag} `) ?? false))
    .map((r) => `delete rule ${r.family} ${r.table} ${r.chain} handle ${r.handle}`);
}

/** A published port another container holds: `{ id12, protocol, port }` from the DNAT comments. */
export function publishedPorts(
  listing: NftListing,
): { id12: string; protocol: Protocol; port: number }[] {
  const out: { id12: string; protocol: Protocol; port: number }[] = [];
  for (const r of listing.rules) {
    if (r.chain !== 'prerouting') continue;
    const m = /^vordr ctr ([0-9a-f]+) (tcp|udp) ([0-9]+)$/.exec(r.comment ?? '');
    if (m !== null) out.push({ id12: m[1]!, protocol: m[2] as Protocol, port: Number(m[3]) });
  }
  return out;
}

// ---- bridge vordr: ingress allowlists ----

/** Where an ingress entry's packets may come from, resolved by the caller (05 §4.6 `source`). */
export type IngressSource =
  | { readonly kind: 'any' }
  | { readonly kind: 'cidr'; readonly cidr: Ipv4Cidr }
  /** `container:<name>`: the current addresses of the peers with that name or alias. */
  | { readonly kind: 'peers'; readonly name: string; readonly addresses: readonly string[] };

export interface IngressEntry {
  readonly port: number;
  readonly protocol: Protocol;
  readonly source: IngressSource;
}

function cidrText(cidr: Ipv4Cidr): string {
  literal(cidr.address);
  return formatCidr(cidr);
}

/** The per-container chain of `bridge vordr`. */
export function ingressChain(id: string): string {
  return `in_${word(id.slice(0, 12))}`;
}

/** The set holding the peers of the container's entry `n`. */
export function ingressPeerSet(id: string, n: number): string {
  return `peers_${word(id.slice(0, 12))}_${n}`;
}

/**
 * The ingress rules of one container: a chain `in_<id12>` jumped to for packets leaving through
 * each of its host-side veths. Call {@link removeIngressCommands} first when it may exist.
 */
export function ingressCommands(
  id: string,
  veths: readonly string[],
  entries: readonly IngressEntry[],
): string[] {
  if (entries.length === 0 || veths.length === 0) return [];
  const t = `bridge ${HOST_TABLE}`;
  const chain = ingressChain(id);
  const out = [
    `add table ${t}`,
    `add chain ${t} forward { type filter hook forward priority filter; policy accept; }`,
    `add chain ${t} ${chain}`,
  ];
  entries.forEach((e, n) => {
    if (e.source.kind !== 'peers') return;
    const set = ingressPeerSet(id, n);
    out.push(`add set ${t} ${set} { type ipv4_addr; }`);
    if (e.source.addresses.length > 0) {
      out.push(`add element ${t} ${set} { ${e.source.addresses.map(literal).join(', ')} }`);
    }
  });
  for (const rule of ingressRules(id, entries)) out.push(`add rule ${t} ${chain} ${rule}`);
  for (const veth of veths) {
    out.push(
      `add rule ${t} forward oifname ${ifname(veth)} jump ${chain} comment "${containerTag(id)}"`,
    );
  }
  return out;
}

/** The rules of chain `in_<id12>`, in order. */
export function ingressRules(id: string, entries: readonly IngressEntry[]): string[] {
  const rules = [
    'ether type arp accept',
    'icmp type { echo-reply, destination-unreachable, time-exceeded, parameter-problem } accept',
  ];
  entries.forEach((e, n) => {
    const from =
      e.source.kind === 'any'
        ? ''
        : e.source.kind === 'cidr'
          ? `ip saddr ${cidrText(e.source.cidr)} `
          : `ip saddr @${ingressPeerSet(id, n)} `;
    const open =
      e.protocol === 'tcp'
        ? `tcp flags & (syn | ack) == syn tcp dport ${e.port}`
        : `udp dport ${e.port}`;
    rules.push(`${from}${open} accept`);
  });
  // Other TCP packets cannot open a connection; without conntrack they are the replies.
  rules.push('tcp flags & (syn | ack) != syn accept', 'drop');
  return rules;
}

/** Commands replacing the addresses of a `container:<name>` source (a peer started or stopped). */
export function ingressPeerUpdateCommands(
  id: string,
  n: number,
  addresses: readonly string[],
): string[] {
  const t = `bridge ${HOST_TABLE}`;
  const set = ingressPeerSet(id, n);
  const out = [`flush set ${t} ${set}`];
  if (addresses.length > 0)
    out.push(`add element ${t} ${set} { ${addresses.map(literal).join(', ')} }`);
  return out;
}

/** Commands removing a container's ingress chain, jumps and peer sets from a listing of `bridge vordr`. */
export function removeIngressCommands(listing: NftListing, id: string): string[] {
  const t = `bridge ${HOST_TABLE}`;
  const chain = ingressChain(id);
  const prefix = `peers_${id.slice(0, 12)}_`;
  const out = deleteTaggedCommands(listing, containerTag(id));
  if (listing.chains.some((c) => c.family === 'bridge' && c.name === chain)) {
    out.push(`flush chain ${t} ${chain}`, `delete chain ${t} ${chain}`);
  }
  for (const s of listing.sets) {
    if (s.family === 'bridge' && s.name.startsWith(prefix)) out.push(`delete set ${t} ${s.name}`);
  }
  return out;
}

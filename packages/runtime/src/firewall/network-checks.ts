// SPDX-License-Identifier: Apache-2.0
// `vordr check`'s network checks (05 §8): `network-connections` from /proc/<pid>/net/{tcp,udp} of
// the container's netns against the allowlists, `network-rules` from `nft -j list` against what
// was installed. The comparisons are pure; {@link measureNetwork} reads the host.
import { readFile } from 'node:fs/promises';
import type { CheckResult } from '../check/types.js';
import {
  readFirewallState,
  ingressSnapshot,
  normaliseListing,
  type FirewallState,
} from './container-firewall.js';
import type { EgressEntry, Protocol } from './egress-entries.js';
import { EGRESS_TABLE, egressSetNames } from './egress-table.js';
import { HOST_TABLE } from './host-tables.js';
import { cidrContains, parseIpv4Cidr } from './ipv4.js';
import { listNftJson } from './nft-cli.js';

/** One socket of /proc/<pid>/net/{tcp,udp}. */
export interface Socket {
  readonly protocol: Protocol;
  readonly localIp: string;
  readonly localPort: number;
  readonly remoteIp: string;
  readonly remotePort: number;
  /** Kernel state in hex: `01` established, `02` SYN sent, `0A` listen, … */
  readonly state: string;
}

function hexAddress(text: string): [string, number] {
  const [ip = '', port = ''] = text.split(':');
  // /proc prints the address as a little-endian 32-bit word.
  const value = parseInt(ip, 16);
  const bytes = [value & 255, (value >>> 8) & 255, (value >>> 16) & 255, value >>> 24];
  return [bytes.join('.'), parseInt(port, 16)];
}

/** Parses one /proc/net/tcp or udp table (IPv4). */
export function parseProcNet(text: string, protocol: Protocol): Socket[] {
  const out: Socket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || f[1] === undefined || f[2] === undefined || f[3] === undefined) continue;
    const [localIp, localPort] = hexAddress(f[1]);
    const [remoteIp, remotePort] = hexAddress(f[2]);
    out.push({ protocol, localIp, localPort, remoteIp, remotePort, state: f[3] });
  }
  return out;
}

/** A connection in either direction, as shown to people. */
export function describe(s: Socket): string {
  return `${s.protocol} ${s.localIp}:${s.localPort} -> ${s.remoteIp}:${s.remotePort}`;
}

/** The live connections: TCP established or opening, UDP with a peer. */
export function liveConnections(sockets: readonly Socket[]): {
  inbound: Socket[];
  outbound: Socket[];
} {
  const listening = new Set(
    sockets.filter((s) => s.protocol === 'tcp' && s.state === '0A').map((s) => s.localPort),
  );
  const live = sockets.filter((s) =>
    s.protocol === 'tcp' ? ['01', '02', '03'].includes(s.state) : s.remoteIp !== '0.0.0.0',
  );
  const inbound = live.filter((s) => s.protocol === 'tcp' && listening.has(s.localPort));
  const outbound = live.filter((s) => !inbound.includes(s));
  return { inbound, outbound };
}

/** Whether the egress rules of `state` let the container open `s` (05 §4.6). */
export function egressAllows(
  state: FirewallState,
  s: Socket,
  setElements: ReadonlyMap<string, readonly string[]>,
): boolean {
  if (state.egress === undefined) return true;
  if (s.remoteIp.startsWith('127.')) return true;
  const gateways = state.networks.flatMap((n) =>
    n.internal || n.gateway === undefined ? [] : [n.gateway],
  );
  if (s.remotePort === 53 && s.remoteIp === gateways[0]) return true;
  for (const n of state.networks) {
    const cidr = parseIpv4Cidr(n.subnet);
    if (cidr !== undefined && cidrContains(cidr, s.remoteIp) && !gateways.includes(s.remoteIp)) {
      return true;
    }
  }
  const sets = egressSetNames(state.egress.entries);
  return state.egress.entries.some((e: EgressEntry) => {
    if (e.port !== s.remotePort || e.protocol !== s.protocol) return false;
    if (e.kind === 'cidr') return cidrContains(e.cidr, s.remoteIp);
    const set = sets.get(e.kind === 'host' ? `host:${e.host}` : `pattern:${e.domain}`);
    return set !== undefined && (setElements.get(set) ?? []).includes(s.remoteIp);
  });
}

/** Whether the ingress rules of `state` let a peer open `s` (inbound; `s.remote` = the peer). */
export function ingressAllows(state: FirewallState, s: Socket): boolean {
  if (state.ingress === undefined) return true;
  if (s.remoteIp.startsWith('127.')) return true;
  return state.ingress.entries.some((e) => {
    if (e.port !== s.localPort || e.protocol !== s.protocol) return false;
    switch (e.source.kind) {
      case 'any':
        return true;
      case 'cidr':
        return cidrContains(e.source.cidr, s.remoteIp);
      case 'peers':
        return e.source.addresses.includes(s.remoteIp);
    }
  });
}

/** `network-connections` from the container's sockets. */
export function checkConnections(
  state: FirewallState,
  sockets: readonly Socket[],
  setElements: ReadonlyMap<string, readonly string[]>,
): CheckResult {
  const { inbound, outbound } = liveConnections(sockets);
  const violations = [
    ...outbound
      .filter((s) => !egressAllows(state, s, setElements))
      .map((s) => `outbound ${describe(s)} not in the egress allowlist`),
    ...inbound
      .filter((s) => !ingressAllows(state, s))
      .map((s) => `inbound ${describe(s)} not in the ingress allowlist`),
  ];
  const seen = [
    ...outbound.map((s) => `out ${describe(s)}`),
    ...inbound.map((s) => `in ${describe(s)}`),
  ];
  const listed = seen.length === 0 ? 'no open connections' : seen.join('; ');
  return {
    name: 'network-connections',
    title: 'Network connections allowed',
    status: violations.length === 0 ? 'pass' : 'fail',
    detail:
      violations.length > 0
        ? `${violations.join('; ')} (live: ${listed})`
        : seen.length === 0
          ? listed
          : `${seen.length} connection(s) allowed: ${listed}`,
    observed: listed,
    violations,
  };
}

/** `network-rules`: the live listings equal the snapshots taken at install. */
export function checkRules(
  state: FirewallState,
  live: { egress?: string; ingress?: string },
): CheckResult {
  const base = { name: 'network-rules', title: 'Network rules installed' } as const;
  if (state.egress === undefined && state.ingress === undefined) {
    return { ...base, status: 'skip', detail: 'no egress or ingress allowlist', violations: [] };
  }
  const violations: string[] = [];
  if (state.egress !== undefined && live.egress !== state.egress.snapshot) {
    violations.push(
      live.egress === '[]'
        ? `table inet ${EGRESS_TABLE} is missing from netns ${state.netns}`
        : `table inet ${EGRESS_TABLE} in netns ${state.netns} differs from the installed rules`,
    );
  }
  if (state.ingress !== undefined && live.ingress !== state.ingress.snapshot) {
    violations.push(
      `the ingress chain in table bridge ${HOST_TABLE} differs from the installed rules`,
    );
  }
  const parts = [
    ...(state.egress !== undefined ? [`egress ${state.egress.rules} rules`] : []),
    ...(state.ingress !== undefined ? [`ingress ${state.ingress.rules} rules`] : []),
  ];
  return {
    ...base,
    status: violations.length === 0 ? 'pass' : 'fail',
    detail: violations.length === 0 ? `as installed (${parts.join(', ')})` : violations.join('; '),
    violations,
  };
}

/** Set elements of an `nft -j list table` document, by set name (timeouts dropped). */
export function setElements(json: string | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (json === undefined) return out;
  const doc = JSON.parse(json) as { nftables?: { set?: { name: string; elem?: unknown[] } }[] };
  for (const item of doc.nftables ?? []) {
    if (item.set === undefined) continue;
    const values = (item.set.elem ?? []).flatMap((e) => {
      if (typeof e === 'string') return [e];
      const val = (e as { elem?: { val?: unknown } }).elem?.val;
      return typeof val === 'string' ? [val] : [];
    });
    out.set(item.set.name, values);
  }
  return out;
}

const SKIP_DETAIL = 'the container has no network (--network none)';

/**
 * Both network checks of a running container. `networked`: the container has networks (without a
 * firewall state it has no rules: its connections are listed, nothing is disallowed).
 */
export async function measureNetwork(
  root: string,
  id: string,
  pid: number | undefined,
  networked = true,
): Promise<CheckResult[]> {
  const recorded = await readFirewallState(root, id);
  if (!networked || pid === undefined || recorded?.networks.length === 0) {
    const detail = pid === undefined ? 'no process to measure' : SKIP_DETAIL;
    return [
      {
        name: 'network-connections',
        title: 'Network connections allowed',
        status: 'skip',
        detail,
        violations: [],
      },
      {
        name: 'network-rules',
        title: 'Network rules installed',
        status: 'skip',
        detail,
        violations: [],
      },
    ];
  }
  const state: FirewallState = recorded ?? { netns: '', networks: [], ports: [] };
  const egressJson =
    state.egress === undefined
      ? undefined
      : await listNftJson(['table', 'inet', EGRESS_TABLE], { netns: state.netns });
  const sockets: Socket[] = [];
  for (const protocol of ['tcp', 'udp'] as const) {
    const text = await readFile(`/proc/${pid}/net/${protocol}`, 'utf8').catch(() => '');
    sockets.push(...parseProcNet(text, protocol));
  }
  const bridgeJson =
    state.ingress === undefined ? undefined : await listNftJson(['table', 'bridge', HOST_TABLE]);
  return [
    checkConnections(state, sockets, setElements(egressJson)),
    checkRules(state, {
      ...(state.egress !== undefined ? { egress: normaliseListing(egressJson) } : {}),
      ...(state.ingress !== undefined ? { ingress: ingressSnapshot(bridgeJson, id) } : {}),
    }),
  ];
}

// SPDX-License-Identifier: Apache-2.0
// 05 §4.6: the supervisor re-resolves a running container's egress `host` entries and adds the
// addresses to their sets in the container's netns, with element timeouts of 2 × TTL (≥ 60 s).
import { readFirewallState, resolveWithNodeDns } from './container-firewall.js';
import { EGRESS_TABLE, egressSetNames, type HostAddresses } from './egress-table.js';
import {
  elementTimeoutSeconds,
  nextRefreshDelayMs,
  type HostOutcome,
} from './egress-refresh-schedule.js';
import { isIpv4 } from './ipv4.js';
import { runNftBatch } from './nft-cli.js';

export interface EgressRefreshResult {
  /** When to re-resolve again; undefined when the container has no host entries. */
  readonly delayMs?: number;
  /** Addresses (re)added, over all sets. */
  readonly added: number;
  /** Names that did not resolve, for the supervisor's log. */
  readonly warnings: string[];
}

export interface EgressRefreshOptions {
  /** Default: {@link resolveWithNodeDns} (`VORDR_DNS_SERVERS` or the host's resolvers). */
  readonly resolveHost?: (host: string) => Promise<HostAddresses>;
}

/**
 * The nft commands that put `addresses` into `set` with a fresh timeout. Each element is ensured,
 * deleted and added again in one batch, so an existing element gets the new timeout on every
 * kernel (older kernels ignore the timeout of an `add` for an element that exists) and a missing
 * or just-expired one cannot fail the delete. Only validated IPv4 literals reach the text.
 */
export function refreshCommands(
  set: string,
  addresses: readonly string[],
  timeoutSeconds: number,
): string[] {
  if (!/^host_[0-9]+$/.test(set)) throw new Error(`not an egress host set: ${JSON.stringify(set)}`);
  const timeout = Math.max(60, Math.round(timeoutSeconds));
  const out: string[] = [];
  for (const address of new Set(addresses)) {
    if (!isIpv4(address)) continue;
    const target = `inet ${EGRESS_TABLE} ${set}`;
    out.push(
      `add element ${target} { ${address} }`,
      `delete element ${target} { ${address} }`,
      `add element ${target} { ${address} timeout ${timeout}s }`,
    );
  }
  return out;
}

/**
 * Re-resolves the `host` entries of container `id` (from its recorded firewall state) and adds the
 * addresses to their sets. A name that does not resolve (or has no A record) is a warning and is
 * tried again after 30 s; its set keeps what it has until the elements time out. Undefined when the
 * container has no egress table.
 */
export async function refreshEgressHosts(
  root: string,
  id: string,
  opts: EgressRefreshOptions = {},
): Promise<EgressRefreshResult | undefined> {
  const state = await readFirewallState(root, id);
  if (state?.egress === undefined) return undefined;
  const resolve = opts.resolveHost ?? ((host: string) => resolveWithNodeDns(host));
  const sets = egressSetNames(state.egress.entries);
  const outcomes: HostOutcome[] = [];
  const warnings: string[] = [];
  const commands: string[] = [];
  for (const [key, set] of sets) {
    if (!key.startsWith('host:')) continue;
    const host = key.slice('host:'.length);
    let found: HostAddresses;
    try {
      found = await resolve(host);
    } catch (err) {
      warnings.push(`egress host ${host} did not resolve (${(err as Error).message})`);
      outcomes.push({ ok: false });
      continue;
    }
    const addresses = found.addresses.filter(isIpv4);
    if (addresses.length === 0) {
      warnings.push(`egress host ${host} has no IPv4 address`);
      outcomes.push({ ok: false });
      continue;
    }
    const ttl = found.ttl ?? found.timeoutSeconds / 2;
    outcomes.push({ ok: true, ttl });
    commands.push(...refreshCommands(set, addresses, elementTimeoutSeconds(ttl)));
  }
  await runNftBatch(`egress-refresh-${id.slice(0, 12)}`, commands, { netns: state.netns });
  const delayMs = nextRefreshDelayMs(outcomes);
  return {
    ...(delayMs !== undefined ? { delayMs } : {}),
    added: commands.length / 3,
    warnings,
  };
}

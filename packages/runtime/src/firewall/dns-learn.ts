// SPDX-License-Identifier: Apache-2.0
// 05 §4.6: `host` and `pattern` entries gain the addresses the DNS forwarder returns to this
// container for matching names, added to its egress sets before the answer is sent.
import { listNetworks } from '../network/network-store.js';
import { readFirewallState } from './container-firewall.js';
import { answerAddresses } from './dns-answer.js';
import { matchesPattern } from './egress-entries.js';
import { EGRESS_TABLE, egressSetNames } from './egress-table.js';
import { isIpv4 } from './ipv4.js';
import { runNft } from './nft-cli.js';

/** The sets of `entries` a looked-up `name` feeds: host entries equal to it, patterns it matches. */
export function setsForName(entries: Parameters<typeof egressSetNames>[0], name: string): string[] {
  const names = egressSetNames(entries);
  const n = name.toLowerCase().replace(/\.$/, '');
  const out = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'host' && e.host.replace(/\.$/, '') === n) out.add(names.get(`host:${e.host}`)!);
    if (e.kind === 'pattern' && matchesPattern(e.domain, n)) {
      out.add(names.get(`pattern:${e.domain}`)!);
    }
  }
  return [...out];
}

/**
 * Adds the A records of `reply` (the forwarder's answer to `querierIp` for `name`) to the querying
 * container's matching egress sets, with timeouts of 2 × TTL (at least 60 s). Nothing for a
 * querier that is no container of the store or has no matching entry. Errors are swallowed: the
 * answer is still sent, and the connection is refused if the address did not get in.
 */
export async function learnEgressAddresses(
  root: string,
  querierIp: string,
  name: string,
  reply: Uint8Array,
): Promise<void> {
  try {
    const { addresses, ttl } = answerAddresses(reply);
    if (addresses.length === 0) return;
    const networks = await listNetworks(root);
    const id = networks.map((n) => n.leases[querierIp]).find((v) => v !== undefined);
    if (id === undefined) return;
    const state = await readFirewallState(root, id);
    if (state?.egress === undefined) return;
    const sets = setsForName(state.egress.entries, name);
    if (sets.length === 0) return;
    const timeout = Math.max(60, 2 * ttl);
    const elements = addresses.filter(isIpv4).map((a) => `${a} timeout ${timeout}s`);
    for (const set of sets) {
      await runNft(['add', 'element', 'inet', EGRESS_TABLE, set, `{ ${elements.join(', ')} }`], {
        netns: state.netns,
      });
    }
  } catch {
    // best effort: see above
  }
}

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { collectEgressEntries } from './egress-entries.js';
import { egressRules, renderEgressTable, type EgressPlan } from './egress-table.js';
import { parseIpv4Cidr } from './ipv4.js';

const net = (subnet: string, gateway?: string) => ({
  subnet: parseIpv4Cidr(subnet)!,
  ...(gateway !== undefined ? { gateway } : {}),
});

function plan(flags: string[], resolved: EgressPlan['resolved'] = new Map()): EgressPlan {
  return {
    networks: [net('10.89.0.0/24', '10.89.0.1'), net('10.89.7.0/24')],
    entries: collectEgressEntries([], flags).entries,
    resolved,
  };
}

describe('renderEgressTable', () => {
  it('orders lo, established, DNS to the resolver, subnets, entries, reject', () => {
    expect(egressRules(plan(['10.1.2.3:8080', 'a.org:443', '*.b.org:443/udp']))).toEqual([
      'oifname "lo" accept',
      'ct state established,related accept',
      'ip daddr 10.89.0.1 udp dport 53 accept',
      'ip daddr 10.89.0.1 tcp dport 53 accept',
      'ip daddr != 10.89.0.1 ip daddr 10.89.0.0/24 accept',
      'ip daddr != 10.89.0.1 ip daddr 10.89.7.0/24 accept',
      'ip daddr 10.1.2.3 tcp dport 8080 accept',
      'ip daddr @host_0 tcp dport 443 accept',
      'ip daddr @pattern_0 udp dport 443 accept',
      'reject with icmpx type admin-prohibited',
    ]);
  });

  it('an internal-only container gets no DNS rule and its whole subnets', () => {
    const rules = egressRules({
      networks: [net('10.89.7.0/24')],
      entries: [],
      resolved: new Map(),
    });
    expect(rules).toEqual([
      'oifname "lo" accept',
      'ct state established,related accept',
      'ip daddr 10.89.7.0/24 accept',
      'reject with icmpx type admin-prohibited',
    ]);
  });

  it('replaces the table and fills host sets with timeouts of at least 60 s', () => {
    const text = renderEgressTable({
      ...plan(
        ['a.org:443', 'c.org:80'],
        new Map([['a.org', { addresses: ['1.2.3.4'], timeoutSeconds: 10 }]]),
      ),
      elementTimeouts: true,
    });
    expect(text.split('\n').slice(0, 3)).toEqual([
      'table inet vordr_egress {}',
      'delete table inet vordr_egress',
      'table inet vordr_egress {',
    ]);
    expect(text).toContain(
      'set host_0 { type ipv4_addr; flags timeout; elements = { 1.2.3.4 timeout 60s }; }',
    );
    expect(text).toContain('set host_1 { type ipv4_addr; flags timeout; }');
    expect(text).toContain('type filter hook output priority filter; policy drop;');
  });

  it('without a refresher the resolved elements do not expire', () => {
    const text = renderEgressTable(
      plan(
        ['a.org:443'],
        new Map([['a.org', { addresses: ['1.2.3.4', '1.2.3.5'], timeoutSeconds: 600 }]]),
      ),
    );
    expect(text).toContain(
      'set host_0 { type ipv4_addr; flags timeout; elements = { 1.2.3.4, 1.2.3.5 }; }',
    );
  });

  it('never writes a resolved value that is not an IPv4 literal', () => {
    expect(() =>
      renderEgressTable(
        plan(['a.org:443'], new Map([['a.org', { addresses: ['evil.org'], timeoutSeconds: 60 }]])),
      ),
    ).toThrow(/not an IPv4 literal/);
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import {
  deleteTaggedCommands,
  ingressCommands,
  ingressRules,
  networkCommands,
  parseNftListing,
  publishCommands,
  publishedPorts,
  removeIngressCommands,
} from './host-tables.js';
import { parseIpv4Cidr } from './ipv4.js';

const ID = '0123456789abcdef0123';

describe('publishCommands', () => {
  it('adds DNAT in prerouting and nat output, tagged with the container and port', () => {
    const cmds = publishCommands(ID, '10.89.0.2', [
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 5353, containerPort: 53, protocol: 'udp' },
    ]);
    expect(cmds).toContain(
      'add chain inet vordr output { type nat hook output priority -100; policy accept; }',
    );
    expect(cmds.filter((c) => c.startsWith('add rule'))).toEqual([
      'add rule inet vordr prerouting fib daddr type local tcp dport 8080 dnat ip to 10.89.0.2:80 comment "vordr ctr 0123456789ab tcp 8080"',
      'add rule inet vordr output fib daddr type local tcp dport 8080 dnat ip to 10.89.0.2:80 comment "vordr ctr 0123456789ab tcp 8080"',
      'add rule inet vordr prerouting ip daddr 127.0.0.1 udp dport 5353 dnat ip to 10.89.0.2:53 comment "vordr ctr 0123456789ab udp 5353"',
      'add rule inet vordr output ip daddr 127.0.0.1 udp dport 5353 dnat ip to 10.89.0.2:53 comment "vordr ctr 0123456789ab udp 5353"',
    ]);
    expect(publishCommands(ID, '10.89.0.2', [])).toEqual([]);
    expect(() =>
      publishCommands(ID, '10.89.0.x', [{ hostPort: 1, containerPort: 1, protocol: 'tcp' }]),
    ).toThrow();
  });
});

describe('networkCommands', () => {
  it('masquerades a non-internal network and drops forwarding to other vordr bridges', () => {
    const rules = networkCommands({
      bridge: 'vc-0123456789',
      subnet: parseIpv4Cidr('10.89.1.0/24')!,
      internal: false,
    }).filter(
      (c) => !c.startsWith('add chain') && !c.startsWith('add table') && !c.startsWith('add set'),
    );
    expect(rules).toEqual([
      'add element inet vordr bridges { "vc-0123456789" }',
      'add rule inet vordr postrouting oifname "vc-0123456789" ip saddr 127.0.0.0/8 masquerade comment "vordr net vc-0123456789"',
      'add rule inet vordr postrouting ip saddr 10.89.1.0/24 oifname != "vc-0123456789" masquerade comment "vordr net vc-0123456789"',
      'add rule inet vordr forward iifname "vc-0123456789" oifname != "vc-0123456789" oifname @bridges drop comment "vordr net vc-0123456789"',
    ]);
  });

  it('isolates an internal network both ways, without NAT', () => {
    const rules = networkCommands({
      bridge: 'vc-aa',
      subnet: parseIpv4Cidr('10.89.2.0/24')!,
      internal: true,
    });
    expect(rules.filter((c) => c.includes('masquerade'))).toEqual([]);
    expect(rules.filter((c) => c.includes(' drop '))).toHaveLength(2);
  });

  it('refuses interface names nft could misread', () => {
    expect(() =>
      networkCommands({
        bridge: 'x" accept',
        subnet: parseIpv4Cidr('10.0.0.0/24')!,
        internal: true,
      }),
    ).toThrow();
  });
});

describe('ingress', () => {
  const entries = [
    { port: 80, protocol: 'tcp' as const, source: { kind: 'any' as const } },
    {
      port: 53,
      protocol: 'udp' as const,
      source: { kind: 'cidr' as const, cidr: parseIpv4Cidr('10.89.0.0/24')! },
    },
    {
      port: 81,
      protocol: 'tcp' as const,
      source: { kind: 'peers' as const, name: 'web', addresses: ['10.89.0.3'] },
    },
  ];

  it('is stateless: ARP, ICMP errors, matching SYNs and datagrams, other TCP, then drop', () => {
    expect(ingressRules(ID, entries)).toEqual([
      'ether type arp accept',
      'icmp type { echo-reply, destination-unreachable, time-exceeded, parameter-problem } accept',
      'tcp flags & (syn | ack) == syn tcp dport 80 accept',
      'ip saddr 10.89.0.0/24 udp dport 53 accept',
      'ip saddr @peers_0123456789ab_2 tcp flags & (syn | ack) == syn tcp dport 81 accept',
      'tcp flags & (syn | ack) != syn accept',
      'drop',
    ]);
  });

  it('jumps to the container chain from each of its veths and fills peer sets', () => {
    const cmds = ingressCommands(ID, ['vh0123456789a0', 'vh0123456789a1'], entries);
    expect(cmds).toContain('add element bridge vordr peers_0123456789ab_2 { 10.89.0.3 }');
    expect(cmds.filter((c) => c.includes('jump'))).toEqual([
      'add rule bridge vordr forward oifname "vh0123456789a0" jump in_0123456789ab comment "vordr ctr 0123456789ab"',
      'add rule bridge vordr forward oifname "vh0123456789a1" jump in_0123456789ab comment "vordr ctr 0123456789ab"',
    ]);
    expect(cmds.some((c) => c.includes('ct '))).toBe(false);
    expect(ingressCommands(ID, ['vh0'], [])).toEqual([]);
  });
});

describe('listings', () => {
  const listing = parseNftListing(
    JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { table: { family: 'bridge', name: 'vordr', handle: 1 } },
        { chain: { family: 'bridge', table: 'vordr', name: 'in_0123456789ab', handle: 2 } },
        { set: { family: 'bridge', table: 'vordr', name: 'peers_0123456789ab_2', handle: 3 } },
        { set: { family: 'bridge', table: 'vordr', name: 'peers_ffffffffffff_0', handle: 4 } },
        {
          rule: {
            family: 'bridge',
            table: 'vordr',
            chain: 'forward',
            handle: 7,
            comment: 'vordr ctr 0123456789ab',
          },
        },
        {
          rule: {
            family: 'bridge',
            table: 'vordr',
            chain: 'forward',
            handle: 8,
            comment: 'vordr ctr ffffffffffff',
          },
        },
        {
          rule: {
            family: 'inet',
            table: 'vordr',
            chain: 'prerouting',
            handle: 9,
            comment: 'vordr ctr 0123456789ab tcp 8080',
          },
        },
      ],
    }),
  );

  it('deletes only what carries the tag', () => {
    expect(deleteTaggedCommands(listing, 'vordr ctr 0123456789ab')).toEqual([
      'delete rule bridge vordr forward handle 7',
      'delete rule inet vordr prerouting handle 9',
    ]);
    expect(removeIngressCommands(listing, ID)).toEqual([
      'delete rule bridge vordr forward handle 7',
      'delete rule inet vordr prerouting handle 9',
      'flush chain bridge vordr in_0123456789ab',
      'delete chain bridge vordr in_0123456789ab',
      'delete set bridge vordr peers_0123456789ab_2',
    ]);
  });

  it('finds the ports other containers publish', () => {
    expect(publishedPorts(listing)).toEqual([
      { id12: '0123456789ab', protocol: 'tcp', port: 8080 },
    ]);
  });
});

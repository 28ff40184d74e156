// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { parseIpv4Cidr } from '../firewall/ipv4.js';
import {
  chooseGateway,
  chooseSubnet,
  cidrsOverlap,
  formatSubnet,
  leaseAddress,
  parseSubnetFlag,
  releaseAddresses,
} from './ipam.js';

const cidr = (text: string) => parseIpv4Cidr(text)!;

describe('subnet choice', () => {
  it('takes the first /24 from 10.89.1.0 that overlaps nothing', () => {
    expect(formatSubnet(chooseSubnet([]))).toBe('10.89.1.0/24');
    const taken = [
      { cidr: cidr('10.89.1.0/24'), what: 'network a' },
      { cidr: cidr('10.89.2.128/25'), what: 'host route' },
    ];
    expect(formatSubnet(chooseSubnet(taken))).toBe('10.89.3.0/24');
  });

  it('skips a wide host route and reports exhaustion', () => {
    expect(formatSubnet(chooseSubnet([{ cidr: cidr('10.89.0.0/20'), what: 'eth1' }]))).toBe(
      '10.89.16.0/24',
    );
    expect(() => chooseSubnet([{ cidr: cidr('10.0.0.0/8'), what: 'eth1' }])).toThrow(
      expect.objectContaining({ code: 'SUBNET_EXHAUSTED' }),
    );
  });

  it('accepts a free requested subnet and refuses an overlapping one', () => {
    expect(formatSubnet(chooseSubnet([], cidr('192.168.50.0/24')))).toBe('192.168.50.0/24');
    expect(() =>
      chooseSubnet([{ cidr: cidr('192.168.0.0/16'), what: 'eth0' }], cidr('192.168.50.0/24')),
    ).toThrow(expect.objectContaining({ code: 'SUBNET_OVERLAP' }));
  });

  it('parses --subnet strictly', () => {
    expect(parseSubnetFlag('10.1.2.0/24')).toEqual({ address: '10.1.2.0', prefix: 24 });
    for (const bad of ['10.1.2.0', '10.1.2.3/24', '10.1.2.0/31', '10.1.300.0/24', 'x/24']) {
      expect(() => parseSubnetFlag(bad)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    }
  });

  it('overlap is symmetric and exact at the edges', () => {
    expect(cidrsOverlap(cidr('10.0.0.0/24'), cidr('10.0.1.0/24'))).toBe(false);
    expect(cidrsOverlap(cidr('10.0.0.0/23'), cidr('10.0.1.0/24'))).toBe(true);
    expect(cidrsOverlap(cidr('10.0.1.0/24'), cidr('10.0.0.0/23'))).toBe(true);
  });
});

describe('gateway', () => {
  it('defaults to .1 and checks --gateway', () => {
    expect(chooseGateway(cidr('10.89.4.0/24'))).toBe('10.89.4.1');
    expect(chooseGateway(cidr('10.89.4.0/24'), '10.89.4.254')).toBe('10.89.4.254');
    for (const bad of ['10.89.5.1', '10.89.4.0', '10.89.4.255', 'gw']) {
      expect(() => chooseGateway(cidr('10.89.4.0/24'), bad)).toThrow(
        expect.objectContaining({ code: 'USAGE' }),
      );
    }
  });
});

describe('leases', () => {
  const net = { name: 'web', subnet: '10.89.1.0/29', gateway: '10.89.1.1' };

  it('leases the lowest free address from .2, skipping the gateway, and releases it', () => {
    const leases: Record<string, string> = {};
    expect(leaseAddress(net, leases, 'a')).toBe('10.89.1.2');
    expect(leaseAddress(net, leases, 'b')).toBe('10.89.1.3');
    expect(leaseAddress(net, leases, 'a')).toBe('10.89.1.2');
    expect(releaseAddresses(leases, 'a')).toBe(true);
    expect(leaseAddress(net, leases, 'c')).toBe('10.89.1.2');
    expect(releaseAddresses(leases, 'zzz')).toBe(false);
  });

  it('skips a gateway in the middle and ends with SUBNET_EXHAUSTED', () => {
    const leases: Record<string, string> = {};
    const mid = { ...net, gateway: '10.89.1.2' };
    const got = ['a', 'b', 'c', 'd'].map((id) => leaseAddress(mid, leases, id));
    expect(got).toEqual(['10.89.1.3', '10.89.1.4', '10.89.1.5', '10.89.1.6']);
    expect(() => leaseAddress(mid, leases, 'e')).toThrow(
      expect.objectContaining({ code: 'SUBNET_EXHAUSTED' }),
    );
  });
});

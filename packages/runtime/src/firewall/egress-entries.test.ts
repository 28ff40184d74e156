// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { collectEgressEntries, matchesPattern, parseEgressFlag } from './egress-entries.js';
import { parseIpv4Cidr } from './ipv4.js';

describe('parseEgressFlag', () => {
  it('reads hosts, patterns and CIDR blocks with an optional protocol', () => {
    expect(parseEgressFlag('api.example.org:443')).toMatchObject({
      kind: 'host',
      host: 'api.example.org',
      port: 443,
      protocol: 'tcp',
    });
    expect(parseEgressFlag('*.IndieWeb.org:443/tcp')).toMatchObject({
      kind: 'pattern',
      domain: 'indieweb.org',
    });
    expect(parseEgressFlag('10.1.2.3:53/udp')).toMatchObject({
      kind: 'cidr',
      cidr: { address: '10.1.2.3', prefix: 32 },
      protocol: 'udp',
    });
    expect(parseEgressFlag('10.1.2.3/16:80')).toMatchObject({
      cidr: { address: '10.1.0.0', prefix: 16 },
    });
  });

  it.each([
    'example.org',
    'example.org:0',
    'example.org:65536',
    'example.org:80/icmp',
    '10.0.0.300:80',
    '10.0.0.1/33:80',
    '*.:80',
    'bad_name!:80',
    '[::1]:80',
    ':80',
  ])('refuses %s with USAGE', (spec) => {
    expect(() => parseEgressFlag(spec)).toThrow(expect.objectContaining({ code: 'USAGE' }));
  });
});

describe('collectEgressEntries', () => {
  it('takes manifest rules then flags, maps http/https to tcp, drops duplicates', () => {
    const { entries, warnings } = collectEgressEntries(
      [
        { host: 'a.org', port: 443, protocol: 'https' },
        { cidr: '10.0.0.0/8', port: 80, protocol: 'http' },
        { host: '2001:db8::1', port: 443, protocol: 'tcp' },
      ],
      ['none', 'a.org:443', '10.9.9.9:22'],
    );
    expect(entries.map((e) => e.text)).toEqual([
      'a.org:443/https',
      '10.0.0.0/8:80/http',
      '10.9.9.9:22',
    ]);
    expect(entries[1]).toMatchObject({ protocol: 'tcp', cidr: parseIpv4Cidr('10.0.0.0/8') });
    expect(warnings).toEqual([expect.stringContaining('2001:db8::1')]);
  });

  it('refuses more than 256 entries', () => {
    const flags = Array.from(
      { length: 257 },
      (_, i) => `10.0.${Math.floor(i / 256)}.${i % 256}:80`,
    );
    expect(() => collectEgressEntries([], flags)).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(collectEgressEntries([], flags.slice(0, 256)).entries).toHaveLength(256);
  });
});

it('a pattern needs at least one more label', () => {
  expect(matchesPattern('indieweb.org', 'www.indieweb.org')).toBe(true);
  expect(matchesPattern('indieweb.org', 'a.b.indieweb.org.')).toBe(true);
  expect(matchesPattern('indieweb.org', 'indieweb.org')).toBe(false);
  expect(matchesPattern('indieweb.org', 'evilindieweb.org')).toBe(false);
});

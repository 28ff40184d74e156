// SPDX-License-Identifier: Apache-2.0
import { VcError } from '@verified-container/shared';
import { describe, expect, it } from 'vitest';
import { dnsServersFromEnv, hasResolvedEgress } from './container-firewall.js';

describe('dnsServersFromEnv', () => {
  it('is undefined without VORDR_DNS_SERVERS (the host resolvers)', () => {
    expect(dnsServersFromEnv({})).toBeUndefined();
    expect(dnsServersFromEnv({ VORDR_DNS_SERVERS: ' ' })).toBeUndefined();
  });

  it('reads comma-separated IPv4 servers with optional ports', () => {
    expect(dnsServersFromEnv({ VORDR_DNS_SERVERS: '127.0.0.1:5353, 10.0.0.53' })).toEqual([
      '127.0.0.1:5353',
      '10.0.0.53',
    ]);
  });

  it('refuses anything else with USAGE', () => {
    for (const bad of ['localhost', '127.0.0.1:0', '127.0.0.1:99999', '::1', '1.2.3.4:5:6']) {
      let err: unknown;
      try {
        dnsServersFromEnv({ VORDR_DNS_SERVERS: bad });
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(VcError);
      expect((err as VcError).code).toBe('USAGE');
    }
  });
});

describe('hasResolvedEgress', () => {
  const egress = (flags: string[]) => ({ filter: true, manifest: [], flags });

  it('is true for host and pattern entries only', () => {
    expect(hasResolvedEgress(egress(['api.example.org:443']))).toBe(true);
    expect(hasResolvedEgress(egress(['*.example.org:443/udp']))).toBe(true);
    expect(hasResolvedEgress(egress(['192.0.2.0/24:443']))).toBe(false);
    expect(hasResolvedEgress(undefined)).toBe(false);
    expect(hasResolvedEgress({ ...egress(['api.example.org:443']), filter: false })).toBe(false);
  });

  it('counts invalid settings as none', () => {
    expect(hasResolvedEgress(egress(['not a spec']))).toBe(false);
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import type { FirewallState } from './container-firewall.js';
import { collectEgressEntries } from './egress-entries.js';
import {
  checkConnections,
  checkRules,
  liveConnections,
  parseProcNet,
  setElements,
} from './network-checks.js';

// /proc/net/tcp prints addresses as little-endian hex words.
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 100 1 0 100 0 0 10 0
   1: 0200590A:0050 0300590A:D431 01 00000000:00000000 00:00000000 00000000     0        0 101 1 0 20 4 30 10 -1
   2: 0200590A:A2B4 0302010A:1F90 01 00000000:00000000 00:00000000 00000000     0        0 102 1 0 20 4 30 10 -1
   3: 0200590A:A2B6 0402010A:1F90 02 00000000:00000000 00:00000000 00000000     0        0 103 1 0 20 4 30 10 -1
`;

const state: FirewallState = {
  netns: 'vordr-0123456789ab',
  networks: [
    {
      name: 'vordr',
      subnet: '10.89.0.0/24',
      gateway: '10.89.0.1',
      internal: false,
      ip: '10.89.0.2',
      veth: 'vh0',
    },
  ],
  egress: {
    entries: collectEgressEntries([], ['10.1.2.3:8080', 'a.org:443']).entries,
    snapshot: '[1]',
    rules: 9,
  },
  ingress: {
    entries: [
      {
        port: 80,
        protocol: 'tcp',
        source: { kind: 'peers', name: 'web', addresses: ['10.89.0.3'] },
      },
    ],
    snapshot: '[2]',
    rules: 4,
  },
  ports: [],
};

describe('parseProcNet', () => {
  it('decodes addresses, ports and states and splits inbound from outbound', () => {
    const sockets = parseProcNet(TCP, 'tcp');
    expect(sockets[1]).toEqual({
      protocol: 'tcp',
      localIp: '10.89.0.2',
      localPort: 80,
      remoteIp: '10.89.0.3',
      remotePort: 54321,
      state: '01',
    });
    const { inbound, outbound } = liveConnections(sockets);
    expect(inbound.map((s) => s.remoteIp)).toEqual(['10.89.0.3']);
    expect(outbound.map((s) => `${s.remoteIp}:${s.remotePort}`)).toEqual([
      '10.1.2.3:8080',
      '10.1.2.4:8080',
    ]);
  });
});

describe('checkConnections', () => {
  it('flags an outbound connection outside the allowlist', () => {
    const result = checkConnections(state, parseProcNet(TCP, 'tcp'), new Map());
    expect(result.status).toBe('fail');
    expect(result.violations).toEqual([
      'outbound tcp 10.89.0.2:41654 -> 10.1.2.4:8080 not in the egress allowlist',
    ]);
  });

  it('accepts addresses in a host set, and everything without a filter', () => {
    const sockets = parseProcNet(TCP.replace('0402010A:1F90', '0402010A:01BB'), 'tcp');
    expect(checkConnections(state, sockets, new Map([['host_0', ['10.1.2.4']]])).status).toBe(
      'pass',
    );
    const open: FirewallState = { ...state, egress: undefined, ingress: undefined };
    expect(checkConnections(open, parseProcNet(TCP, 'tcp'), new Map()).status).toBe('pass');
  });

  it('flags an inbound connection from a source the ingress rules do not allow', () => {
    const other = {
      ...state,
      ingress: {
        ...state.ingress!,
        entries: [
          {
            ...state.ingress!.entries[0]!,
            source: { kind: 'peers' as const, name: 'web', addresses: [] },
          },
        ],
      },
    };
    expect(
      checkConnections(other, parseProcNet(TCP, 'tcp'), new Map([['host_0', []]])).violations,
    ).toContain('inbound tcp 10.89.0.2:80 -> 10.89.0.3:54321 not in the ingress allowlist');
  });
});

describe('checkRules', () => {
  it('passes when the listings equal the snapshots and names what differs', () => {
    expect(checkRules(state, { egress: '[1]', ingress: '[2]' })).toMatchObject({
      status: 'pass',
      detail: 'as installed (egress 9 rules, ingress 4 rules)',
    });
    expect(checkRules(state, { egress: '[]', ingress: '[2]' }).violations).toEqual([
      'table inet vordr_egress is missing from netns vordr-0123456789ab',
    ]);
    expect(checkRules({ ...state, egress: undefined, ingress: undefined }, {}).status).toBe('skip');
  });
});

it('setElements reads plain and timed elements', () => {
  const json = JSON.stringify({
    nftables: [
      { set: { name: 'host_0', elem: [{ elem: { val: '1.2.3.4', timeout: 60, expires: 50 } }] } },
      { set: { name: 'pattern_0', elem: ['5.6.7.8'] } },
      { set: { name: 'host_1' } },
    ],
  });
  expect([...setElements(json)]).toEqual([
    ['host_0', ['1.2.3.4']],
    ['pattern_0', ['5.6.7.8']],
    ['host_1', []],
  ]);
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { formatNetworks } from './format-networks.js';
import type { NetworkRecord } from './network-record.js';

const net = (name: string, leases: Record<string, string> = {}): NetworkRecord => ({
  id: 'a'.repeat(64),
  name,
  bridge: 'vc-aaaaaaaaaa',
  subnet: '10.89.1.0/24',
  gateway: '10.89.1.1',
  internal: name === 'back',
  labels: {},
  createdAt: '2026-12-07T00:00:00Z',
  leases,
});

describe('network ls', () => {
  it('prints the columns of 05 §10.3', () => {
    const text = formatNetworks([net('back'), net('web', { '10.89.1.2': 'c1' })]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SUBNET\s+GATEWAY\s+INTERNAL\s+CONTAINERS$/);
    expect(lines[1]).toMatch(/^back\s+10\.89\.1\.0\/24\s+10\.89\.1\.1\s+true\s+0$/);
    expect(lines[2]).toMatch(/^web\s+.*\s+false\s+1$/);
  });

  it('quiet prints names; json one array with the containers', () => {
    expect(formatNetworks([net('a'), net('b')], { quiet: true })).toBe('a\nb\n');
    const parsed = JSON.parse(
      formatNetworks([net('w', { '10.89.1.2': 'c1' })], { format: 'json' }),
    );
    expect(parsed[0]).toMatchObject({ name: 'w', containers: ['c1'] });
    expect(() => formatNetworks([], { format: 'yaml' })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { refreshCommands } from './egress-refresh.js';

describe('refreshCommands', () => {
  it('ensures, deletes and re-adds each address with its timeout', () => {
    expect(refreshCommands('host_0', ['10.1.2.3', '10.1.2.3'], 90)).toEqual([
      'add element inet vordr_egress host_0 { 10.1.2.3 }',
      'delete element inet vordr_egress host_0 { 10.1.2.3 }',
      'add element inet vordr_egress host_0 { 10.1.2.3 timeout 90s }',
    ]);
  });

  it('keeps only IPv4 literals and at least 60 s', () => {
    const out = refreshCommands('host_1', ['10.0.0.1', 'evil.example', '10.0.0.01', '::1'], 2);
    expect(out).toHaveLength(3);
    expect(out[2]).toBe('add element inet vordr_egress host_1 { 10.0.0.1 timeout 60s }');
  });

  it('refuses a set name that is not a host set', () => {
    expect(() => refreshCommands('host_0 }; flush ruleset', ['10.0.0.1'], 60)).toThrow(
      /not an egress host set/,
    );
  });
});

// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { applyCapabilityFlags, capabilityMask, kernelCapabilities } from './capabilities.js';

const SIGNED = ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID', 'CAP_SETUID'];

describe('applyCapabilityFlags', () => {
  it('accepts any case with or without CAP_, dropping before adding', () => {
    expect(
      applyCapabilityFlags(SIGNED, { drop: ['chown', 'CAP_setuid'], add: ['Kill', 'chown'] }, 40),
    ).toEqual(['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_SETGID']);
  });

  it('drop ALL clears the set; add ALL grants every capability up to cap_last_cap', () => {
    expect(applyCapabilityFlags(SIGNED, { drop: ['all'], add: ['NET_ADMIN'] }, 40)).toEqual([
      'CAP_NET_ADMIN',
    ]);
    expect(applyCapabilityFlags([], { add: ['ALL'] }, 37)).toHaveLength(38);
    expect(applyCapabilityFlags([], { add: ['ALL'] }, 37)).not.toContain('CAP_PERFMON');
  });

  it('lists every unknown name of both flags in one UNKNOWN_CAPABILITY', () => {
    let error: unknown;
    try {
      applyCapabilityFlags(SIGNED, { drop: ['BOGUS'], add: ['net_bind_service', 'CAP_NOPE'] }, 40);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({
      code: 'UNKNOWN_CAPABILITY',
      details: { capabilities: ['BOGUS', 'CAP_NOPE'] },
    });
  });
});

describe('capability helpers', () => {
  it('computes the /proc status mask', () => {
    expect(capabilityMask(SIGNED)).toBe('00000000000004c1');
  });

  it('knows 41 capabilities on Linux 6.x', () => {
    expect(kernelCapabilities(40)).toHaveLength(41);
  });
});

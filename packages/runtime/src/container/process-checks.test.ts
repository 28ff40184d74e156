// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { confinementMismatches, parseProcStatus } from './process-checks.js';

const STATUS = `Name:\tsh
State:\tS (sleeping)
CapInh:\t0000000000000000
CapPrm:\t0000000000000081
CapEff:\t0000000000000081
CapBnd:\t0000000000000081
CapAmb:\t0000000000000081
NoNewPrivs:\t1
Seccomp:\t2
`;

describe('process confinement (05 §4.8 line 5)', () => {
  it('accepts the expected CapBnd, CapEff, NoNewPrivs 1 and Seccomp 2', () => {
    const parsed = parseProcStatus(STATUS)!;
    expect(parsed).toEqual({
      capBnd: '0000000000000081',
      capEff: '0000000000000081',
      noNewPrivs: 1,
      seccomp: 2,
    });
    expect(
      confinementMismatches(parsed, { capabilities: ['CAP_CHOWN', 'CAP_SETUID'], seccomp: true }),
    ).toEqual([]);
  });

  it('names every difference', () => {
    const parsed = parseProcStatus(STATUS.replace('NoNewPrivs:\t1', 'NoNewPrivs:\t0'))!;
    expect(confinementMismatches(parsed, { capabilities: ['CAP_CHOWN'], seccomp: false })).toEqual([
      'CapBnd 0000000000000081, expected 0000000000000001',
      'CapEff 0000000000000081, expected 0000000000000001',
      'NoNewPrivs 0, expected 1',
      'Seccomp 2, expected 0',
    ]);
  });

  it('is undefined without the fields', () => {
    expect(parseProcStatus('Name:\tx\n')).toBeUndefined();
  });
});

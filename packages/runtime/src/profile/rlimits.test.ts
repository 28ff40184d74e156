// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest';
import { computeRlimits, parseProcLimits, parseUlimit } from './rlimits.js';

describe('computeRlimits', () => {
  it('clamps the defaults to the caller hard limits', () => {
    expect(computeRlimits([], { RLIMIT_NOFILE: 20000 })).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
      { type: 'RLIMIT_NPROC', soft: 4194304, hard: 4194304 },
    ]);
  });

  it('applies --ulimit within the hard limit', () => {
    expect(computeRlimits(['nofile=1024:4096', 'core=0'], { RLIMIT_NOFILE: 20000 })).toEqual([
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 },
      { type: 'RLIMIT_NPROC', soft: 4194304, hard: 4194304 },
      { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
    ]);
    expect(computeRlimits(['nofile=unlimited'], { RLIMIT_NOFILE: 20000 })[0]).toEqual({
      type: 'RLIMIT_NOFILE',
      soft: 20000,
      hard: 20000,
    });
  });

  it('rejects a --ulimit above the caller hard limit with USAGE', () => {
    expect(() => computeRlimits(['nofile=30000'], { RLIMIT_NOFILE: 20000 })).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });

  it.each(['nofile', 'bogus=1', 'nofile=abc', 'nofile=10:5', 'nofile=1:2:3'])(
    'rejects --ulimit %s with USAGE',
    (flag) => {
      expect(() => parseUlimit(flag)).toThrow(expect.objectContaining({ code: 'USAGE' }));
    },
  );
});

describe('parseProcLimits', () => {
  it('reads the hard column and skips unlimited rows', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units',
      'Max cpu time              unlimited            unlimited            seconds',
      'Max processes             96367                96367                processes',
      'Max open files            1024                 20000                files',
    ].join('\n');
    expect(parseProcLimits(text)).toEqual({ RLIMIT_NPROC: 96367, RLIMIT_NOFILE: 20000 });
  });
});
